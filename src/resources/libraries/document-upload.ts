import type { RequestOptions } from "../../core/client-options.js";
import { type InputProblem, ValidationError } from "../../core/errors/client-errors.js";
import type { WithResponseMeta } from "../../core/json-response.js";
import type { Transport } from "../../core/transport.js";
import type { DocumentUploadRequest, LibraryDocument } from "../../types/libraries.js";
import { createMultipartBody } from "../files/multipart.js";
import { resolveUploadSource } from "../files/upload-source.js";
import { sendForJson } from "./library-calls.js";

/**
 * Uploads a document as `multipart/form-data` with one `file` part, streaming the content as
 * `fetch` reads it. A stream body can be sent only once, so a failed upload is not retried.
 */
export async function sendDocumentUpload(
  transport: Transport,
  path: string,
  request: DocumentUploadRequest,
  options: RequestOptions | undefined,
): Promise<WithResponseMeta<LibraryDocument>> {
  checkUploadRequest(request);
  const source = await resolveUploadSource(request.file, transport.config.limits.maxUploadBytes);
  const body = createMultipartBody([], "file", source, request.onProgress);
  const headers = { ...options?.headers, "content-type": body.contentType };
  try {
    return await sendForJson<LibraryDocument>(transport, {
      method: "POST",
      path,
      body: body.stream,
      contentLength: body.contentLength,
      options: { ...options, headers },
      retryMode: "unsent",
    });
  } catch (error) {
    if (!body.stream.locked) body.stream.cancel().catch(() => {});
    // `fetch` reports a failed body read as a network error, so the read error is rethrown.
    throw body.failure ?? error;
  }
}

function checkUploadRequest(request: DocumentUploadRequest): void {
  if (typeof request !== "object" || request === null) {
    throw new ValidationError([{ path: "request", message: "must be an object with `file`" }]);
  }

  const problems: InputProblem[] = [];
  if (request.file === undefined) {
    problems.push({ path: "file", message: "is required" });
  }

  if (request.onProgress !== undefined && typeof request.onProgress !== "function") {
    problems.push({ path: "onProgress", message: "must be a function" });
  }

  if (problems.length > 0) {
    throw new ValidationError(problems, "Invalid document upload");
  }
}
