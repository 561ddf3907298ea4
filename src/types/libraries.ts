import type { OpenString } from "./common.js";
import type { UploadFile, UploadProgress } from "./files.js";

// Wire types of the libraries API (beta): `/v1/libraries`, its documents and its sharing entries.

/** A library: a named set of documents that agents can search. */
export interface Library {
  id: string;
  name: string;
  /** ISO 8601 date and time. */
  created_at: string;
  /** ISO 8601 date and time. */
  updated_at: string;
  owner_id: string | null;
  /** Kind of entity that owns the library, such as `"User"`. */
  owner_type: string;
  /** Size of all documents, in bytes. */
  total_size: number;
  /** Number of documents. */
  nb_documents: number;
  /** Size of the text chunks that search works on, or null for the server default. */
  chunk_size: number | null;
  emoji?: string | null;
  description?: string | null;
  /** Description written by the server from the documents. */
  generated_description?: string | null;
  explicit_user_members_count?: number | null;
  explicit_workspace_members_count?: number | null;
  /** Role everyone in the organization has, when the library is shared with it. */
  org_sharing_role?: string | null;
  /** Name written by the server from the documents. */
  generated_name?: string | null;
  [key: string]: unknown;
}

export interface LibraryList {
  data: Library[];
  [key: string]: unknown;
}

/** Body of `POST /v1/libraries`. */
export interface LibraryCreateRequest {
  name: string;
  description?: string | null;
  /** Size of the text chunks for search. Null or absent means the server default. */
  chunk_size?: number | null;
}

/** Body of `PUT /v1/libraries/{library_id}`: the fields to change. */
export interface LibraryUpdateRequest {
  name?: string | null;
  description?: string | null;
}

/**
 * Processing state of a document. Search finds a document once it is `done`. The states `todo`,
 * `in_progress` and `waiting_for_capacity` mean processing has not finished yet.
 */
export type ProcessStatus = OpenString<
  | "self_managed"
  | "missing_content"
  | "noop"
  | "done"
  | "todo"
  | "in_progress"
  | "error"
  | "waiting_for_capacity"
>;

/** A document uploaded to a library. */
export interface LibraryDocument {
  id: string;
  library_id: string;
  /** Hash of the file content, which the server uses to detect a second upload of the same file. */
  hash: string | null;
  mime_type: string | null;
  /** File name extension, such as `"pdf"`. */
  extension: string | null;
  /** File size, in bytes. */
  size: number | null;
  name: string;
  summary?: string | null;
  /** ISO 8601 date and time. */
  created_at: string;
  /** ISO 8601 date and time of the last completed processing. */
  last_processed_at?: string | null;
  number_of_pages?: number | null;
  process_status: ProcessStatus;
  uploaded_by_id: string | null;
  uploaded_by_type: string;
  tokens_processing_main_content?: number | null;
  tokens_processing_summary?: number | null;
  url?: string | null;
  /** Metadata set with `documents.update`. */
  attributes?: Record<string, unknown> | null;
  /** Processing state as a display string, computed by the server. */
  processing_status: string;
  /** Tokens used to process the document, summary included. */
  tokens_processing_total: number;
  [key: string]: unknown;
}

/** Page position of a document list, as the server reports it. */
export interface DocumentPagination {
  total_items: number;
  total_pages: number;
  /** Zero-based page number. */
  current_page: number;
  page_size: number;
  has_more: boolean;
  [key: string]: unknown;
}

/** One page of `GET /v1/libraries/{library_id}/documents`. */
export interface LibraryDocumentList {
  pagination: DocumentPagination;
  data: LibraryDocument[];
  [key: string]: unknown;
}

/** Filters and order of a document list. Paging is done by the returned `PagedList`. */
export interface LibraryDocumentListParams {
  /** Text to look for in document names. */
  search?: string | null;
  /** Documents per page, from 1 to 100. Default: 100. */
  page_size?: number;
  /** Zero-based page the list starts at. Default: 0. */
  page?: number;
  /** Filter on document attributes, as the JSON text the API expects. */
  filters_attributes?: string | null;
  /** Field to sort by. Server default: `"created_at"`. */
  sort_by?: OpenString<"created_at" | "name">;
  /** Server default: `"desc"`. */
  sort_order?: OpenString<"asc" | "desc">;
}

/** Value of one document attribute. */
export type DocumentAttributeValue = boolean | string | number | string[] | number[] | boolean[];

/** Body of `PUT /v1/libraries/{library_id}/documents/{document_id}`: the fields to change. */
export interface LibraryDocumentUpdateRequest {
  name?: string | null;
  /** Replaces the document's attributes. Dates are sent as ISO 8601 strings. */
  attributes?: Record<string, DocumentAttributeValue> | null;
}

/** Parameters of `libraries.documents.upload`. */
export interface DocumentUploadRequest {
  /**
   * The file: a path (Node.js only), a File, `{ name, data }` for bytes, a Blob or a stream, or
   * `{ path, name }`. The name's extension tells the server the file type.
   */
  file: UploadFile;
  /** Called after each chunk of the body is read by `fetch`. An exception aborts the upload. */
  onProgress?: (progress: UploadProgress) => void;
}

/** Text extracted from a document, by OCR for PDF, DOCX and PPTX files. */
export interface DocumentTextContent {
  text: string;
  [key: string]: unknown;
}

/** Processing state of one document. */
export interface DocumentProcessingStatus {
  document_id: string;
  process_status: ProcessStatus;
  /** Processing state as a display string, computed by the server. */
  processing_status: string;
  [key: string]: unknown;
}

/** Kind of entity a library is shared with. */
export type ShareEntityType = OpenString<"User" | "Workspace" | "Org">;

/** Access level granted on a library. */
export type ShareLevel = OpenString<"Viewer" | "Editor">;

/** One entity's access to a library. */
export interface LibraryAccess {
  library_id: string;
  user_id?: string | null;
  org_id: string;
  /** Access level, such as `"Viewer"`, `"Editor"` or the owner's role. */
  role: string;
  share_with_type: string;
  share_with_uuid: string | null;
  [key: string]: unknown;
}

export interface LibraryAccessList {
  data: LibraryAccess[];
  [key: string]: unknown;
}

/** Body of `PUT /v1/libraries/{library_id}/share`: grants or changes one entity's access. */
export interface LibraryAccessRequest {
  /** Organization of the entity. Null or absent means the caller's organization. */
  org_id?: string | null;
  level: ShareLevel;
  /** Id of the user, workspace or organization. */
  share_with_uuid: string;
  share_with_type: ShareEntityType;
}

/** Body of `DELETE /v1/libraries/{library_id}/share`: removes one entity's access. */
export interface LibraryAccessDeleteRequest {
  org_id?: string | null;
  /** Id of the user, workspace or organization. */
  share_with_uuid: string;
  share_with_type: ShareEntityType;
}
