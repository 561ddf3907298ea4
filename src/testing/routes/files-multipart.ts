/** One part of a `multipart/form-data` body. */
export interface FormPart {
  /** The `name` parameter of Content-Disposition. */
  name: string;
  /** The `filename` parameter, for file parts. */
  filename: string | undefined;
  /** The part's Content-Type header, when it has one. */
  contentType: string | undefined;
  data: Buffer;
}

/** Result of parsing a form: its parts in body order, or what is wrong with the body. */
export type ParsedForm = { parts: FormPart[] } | { error: string };

/**
 * Parses a `multipart/form-data` body (RFC 7578) strictly enough to catch client bugs. The
 * boundary must come from the content type and every delimiter must be followed by CRLF. Every
 * part needs a Content-Disposition with a name, and the closing delimiter must be present.
 */
export function parseMultipartForm(contentType: string | undefined, body: Buffer): ParsedForm {
  const boundary = boundaryOf(contentType);
  if (boundary === undefined) {
    return { error: `Expected multipart/form-data with a boundary, got "${contentType ?? ""}"` };
  }

  const delimiter = Buffer.from(`--${boundary}`);
  if (!body.subarray(0, delimiter.byteLength).equals(delimiter)) {
    return { error: "The body does not start with the boundary delimiter" };
  }

  const parts: FormPart[] = [];
  const separator = Buffer.from(`\r\n--${boundary}`);
  let position = delimiter.byteLength;
  for (;;) {
    const after = body.subarray(position, position + 2).toString("latin1");
    if (after === "--") {
      return { parts };
    }

    if (after !== "\r\n") {
      return { error: `Expected CRLF after the boundary delimiter at byte ${position}` };
    }

    const end = body.indexOf(separator, position + 2);
    if (end === -1) {
      return { error: "The closing boundary delimiter is missing" };
    }

    const part = parsePart(body.subarray(position + 2, end));
    if ("error" in part) {
      return part;
    }

    parts.push(part);
    position = end + separator.byteLength;
  }
}

function parsePart(bytes: Buffer): FormPart | { error: string } {
  const headerEnd = bytes.indexOf("\r\n\r\n");
  if (headerEnd === -1) {
    return { error: "A part has no blank line after its headers" };
  }

  const headers = new Map<string, string>();
  for (const line of bytes.subarray(0, headerEnd).toString("utf8").split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) return { error: `Invalid part header line "${line.slice(0, 80)}"` };
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }

  const disposition = headers.get("content-disposition") ?? "";
  const name = dispositionParameter(disposition, "name");
  if (!/^form-data\s*;/i.test(disposition) || name === undefined) {
    return { error: `A part has an invalid Content-Disposition "${disposition.slice(0, 120)}"` };
  }

  return {
    name,
    filename: dispositionParameter(disposition, "filename"),
    contentType: headers.get("content-type"),
    data: bytes.subarray(headerEnd + 4),
  };
}

/** Reads a quoted parameter, undoing the `%22`, `%0D` and `%0A` escapes browsers apply. */
function dispositionParameter(disposition: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}="([^"]*)"`, "i").exec(disposition);
  if (match === null) return undefined;
  return match[1]!.replace(/%22/g, '"').replace(/%0D/gi, "\r").replace(/%0A/gi, "\n");
}

function boundaryOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined || !/^multipart\/form-data\s*;/i.test(contentType)) {
    return undefined;
  }

  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}
