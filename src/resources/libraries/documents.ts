import type { RequestOptions } from "../../core/client-options.js";
import type { WithResponseMeta } from "../../core/json-response.js";
import { PagedList } from "../../core/pagination.js";
import { apiPath } from "../../core/path.js";
import type { Transport } from "../../core/transport.js";
import type {
  DocumentProcessingStatus,
  DocumentTextContent,
  DocumentUploadRequest,
  LibraryDocument,
  LibraryDocumentList,
  LibraryDocumentListParams,
  LibraryDocumentUpdateRequest,
} from "../../types/libraries.js";
import { sendDocumentUpload } from "./document-upload.js";
import { checkBody, sendForJson, sendForNoContent, sendForString } from "./library-calls.js";
import { checkListParams } from "./list-params.js";
import { type ProcessingWaitOptions, waitForProcessing } from "./processing-wait.js";

/** Documents of one library: `/v1/libraries/{library_id}/documents`. */
export class LibraryDocuments {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Uploads a file to the library and queues it for processing. Search finds it once its
   * `process_status` is `done`. The content is streamed, never held whole in memory. A file whose
   * content is already in the library returns the existing document.
   */
  async upload(
    libraryId: string,
    request: DocumentUploadRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<LibraryDocument>> {
    const path = apiPath`/v1/libraries/${libraryId}/documents`;
    return sendDocumentUpload(this.#transport, path, request, options);
  }

  /**
   * Lists the documents of a library, newest first unless `sort_by` and `sort_order` set
   * another order. Pages are fetched as the returned list is iterated, not before.
   */
  list(
    libraryId: string,
    params: LibraryDocumentListParams = {},
    options?: RequestOptions,
  ): PagedList<LibraryDocument> {
    const path = apiPath`/v1/libraries/${libraryId}/documents`;
    const { firstPage, pageSize, filters } = checkListParams(params);
    const fetchPage = async (page: number, size: number) => {
      // page_size is always sent, because PagedList decides from it whether a page was the last.
      const query = { ...filters, page, page_size: size };
      const list = await sendForJson<LibraryDocumentList>(this.#transport, {
        method: "GET",
        path,
        query,
        options,
      });
      return { items: list.data, total: list.pagination?.total_items, raw: list };
    };
    return new PagedList(fetchPage, firstPage, pageSize);
  }

  /** Returns the metadata of one document. */
  async get(
    libraryId: string,
    documentId: string,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<LibraryDocument>> {
    return sendForJson<LibraryDocument>(this.#transport, {
      method: "GET",
      path: apiPath`/v1/libraries/${libraryId}/documents/${documentId}`,
      options,
    });
  }

  /** Changes the name or attributes of a document. Fields left out keep their value. */
  async update(
    libraryId: string,
    documentId: string,
    request: LibraryDocumentUpdateRequest,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<LibraryDocument>> {
    const path = apiPath`/v1/libraries/${libraryId}/documents/${documentId}`;
    checkBody(request, [], "Invalid document update");
    return sendForJson<LibraryDocument>(this.#transport, {
      method: "PUT",
      path,
      body: request,
      options,
      retryMode: "unsent",
    });
  }

  /** Deletes a document from the library and from its search index. */
  async delete(libraryId: string, documentId: string, options?: RequestOptions): Promise<void> {
    return sendForNoContent(this.#transport, {
      method: "DELETE",
      path: apiPath`/v1/libraries/${libraryId}/documents/${documentId}`,
      options,
      retryMode: "unsent",
    });
  }

  /** Returns the text of a document. For PDF, DOCX and PPTX files the text comes from OCR. */
  async getTextContent(
    libraryId: string,
    documentId: string,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<DocumentTextContent>> {
    return sendForJson<DocumentTextContent>(this.#transport, {
      method: "GET",
      path: apiPath`/v1/libraries/${libraryId}/documents/${documentId}/text_content`,
      options,
    });
  }

  /** Returns the processing status of a document. */
  async getStatus(
    libraryId: string,
    documentId: string,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<DocumentProcessingStatus>> {
    return sendForJson<DocumentProcessingStatus>(this.#transport, {
      method: "GET",
      path: apiPath`/v1/libraries/${libraryId}/documents/${documentId}/status`,
      options,
    });
  }

  /**
   * Returns a URL to download the original file. Anyone with the URL can download it until it
   * expires, 30 minutes after it was issued, so treat it as a secret.
   */
  async getSignedUrl(
    libraryId: string,
    documentId: string,
    options?: RequestOptions,
  ): Promise<string> {
    return sendForString(this.#transport, {
      method: "GET",
      path: apiPath`/v1/libraries/${libraryId}/documents/${documentId}/signed-url`,
      options,
    });
  }

  /**
   * Returns a URL to download the text extracted from the document, which is the OCR output for
   * files that went through OCR.
   */
  async getExtractedTextSignedUrl(
    libraryId: string,
    documentId: string,
    options?: RequestOptions,
  ): Promise<string> {
    return sendForString(this.#transport, {
      method: "GET",
      path: apiPath`/v1/libraries/${libraryId}/documents/${documentId}/extracted-text-signed-url`,
      options,
    });
  }

  /** Queues a document for processing again. The processing is billed again. */
  async reprocess(libraryId: string, documentId: string, options?: RequestOptions): Promise<void> {
    return sendForNoContent(this.#transport, {
      method: "POST",
      path: apiPath`/v1/libraries/${libraryId}/documents/${documentId}/reprocess`,
      options,
      retryMode: "unsent",
    });
  }

  /**
   * Reads the processing status every `pollIntervalMs` until processing has ended, and returns
   * the final status, which may be `error`. Throws a TimeoutError after `timeoutMs`.
   */
  async waitUntilProcessed(
    libraryId: string,
    documentId: string,
    wait?: ProcessingWaitOptions,
    options?: RequestOptions,
  ): Promise<WithResponseMeta<DocumentProcessingStatus>> {
    const readStatus = () => this.getStatus(libraryId, documentId, options);
    return waitForProcessing(readStatus, documentId, wait, options?.signal);
  }
}
