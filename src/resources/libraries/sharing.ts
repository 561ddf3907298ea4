import type { RequestOptions } from "../../core/client-options.js";
import type { WithResponseMeta } from "../../core/json-response.js";
import { apiPath } from "../../core/path.js";
import type { Transport } from "../../core/transport.js";
import type {
  LibraryAccess,
  LibraryAccessDeleteRequest,
  LibraryAccessList,
  LibraryAccessRequest,
} from "../../types/libraries.js";
import { checkBody, sendForJson } from "./library-calls.js";

/** Access of users, workspaces and organizations to a library: `/v1/libraries/{id}/share`. */
export class LibrarySharing {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Lists every entity with access to the library, and its role. */
  async list(
    libraryId: string,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<LibraryAccessList>> {
    return sendForJson<LibraryAccessList>(this.#transport, {
      method: "GET",
      path: apiPath`/v1/libraries/${libraryId}/share`,
      options,
    });
  }

  /**
   * Grants an entity access to the library, or changes its level. Only the owner may share, the
   * owner's own role cannot change, and sharing stays within the organization.
   */
  async createOrUpdate(
    libraryId: string,
    request: LibraryAccessRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<LibraryAccess>> {
    const path = apiPath`/v1/libraries/${libraryId}/share`;
    checkBody(request, ["share_with_uuid", "share_with_type", "level"], "Invalid library access");
    return sendForJson<LibraryAccess>(this.#transport, {
      method: "PUT",
      path,
      body: request,
      options,
      retryMode: "unsent",
    });
  }

  /** Removes an entity's access to the library and returns the removed entry. */
  async delete(
    libraryId: string,
    request: LibraryAccessDeleteRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<LibraryAccess>> {
    const path = apiPath`/v1/libraries/${libraryId}/share`;
    checkBody(request, ["share_with_uuid", "share_with_type"], "Invalid library access");
    return sendForJson<LibraryAccess>(this.#transport, {
      method: "DELETE",
      path,
      body: request,
      options,
      retryMode: "unsent",
    });
  }
}
