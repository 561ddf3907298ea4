import type { RequestOptions } from "../../core/client-options.js";
import type { WithResponseMeta } from "../../core/json-response.js";
import { apiPath } from "../../core/path.js";
import type { Transport } from "../../core/transport.js";
import type {
  Library,
  LibraryCreateRequest,
  LibraryList,
  LibraryUpdateRequest,
} from "../../types/libraries.js";
import { LibraryDocuments } from "./documents.js";
import { checkBody, sendForJson } from "./library-calls.js";
import { LibrarySharing } from "./sharing.js";

/** Document libraries for agents and search (beta API): `/v1/libraries`. */
export class Libraries {
  /** Documents of a library: upload, list, read, process. */
  readonly documents: LibraryDocuments;
  /** Access of other users, workspaces and organizations to a library. */
  readonly sharing: LibrarySharing;
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
    this.documents = new LibraryDocuments(transport);
    this.sharing = new LibrarySharing(transport);
  }

  /** Creates a library owned by the caller and not yet shared with anyone. */
  async create(
    request: LibraryCreateRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<Library>> {
    checkBody(request, ["name"], "Invalid library");
    return sendForJson<Library>(this.#transport, {
      method: "POST",
      path: "/v1/libraries",
      body: request,
      options,
      retryMode: "unsent",
    });
  }

  /** Lists the libraries the caller created or that were shared with the caller. */
  async list(options?: RequestOptions): Promise<WithResponseMeta<LibraryList>> {
    return sendForJson<LibraryList>(this.#transport, {
      method: "GET",
      path: "/v1/libraries",
      options,
    });
  }

  /** Returns one library by id. */
  async get(libraryId: string, options?: RequestOptions): Promise<WithResponseMeta<Library>> {
    return sendForJson<Library>(this.#transport, {
      method: "GET",
      path: apiPath`/v1/libraries/${libraryId}`,
      options,
    });
  }

  /** Changes the name or description of a library. Fields left out keep their value. */
  async update(
    libraryId: string,
    request: LibraryUpdateRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<Library>> {
    const path = apiPath`/v1/libraries/${libraryId}`;
    checkBody(request, [], "Invalid library update");
    return sendForJson<Library>(this.#transport, {
      method: "PUT",
      path,
      body: request,
      options,
      retryMode: "unsent",
    });
  }

  /** Deletes a library with all of its documents, and returns the deleted library. */
  async delete(libraryId: string, options?: RequestOptions): Promise<WithResponseMeta<Library>> {
    return sendForJson<Library>(this.#transport, {
      method: "DELETE",
      path: apiPath`/v1/libraries/${libraryId}`,
      options,
      retryMode: "unsent",
    });
  }
}
