import { ownValue } from "../../core/own-value.js";

/** Media types of the extensions callers upload most: documents, images, audio and data. */
const mediaTypes: Record<string, string> = {
  pdf: "application/pdf",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  bmp: "image/bmp",
  tif: "image/tiff",
  tiff: "image/tiff",
  svg: "image/svg+xml",
  jsonl: "application/jsonl",
  json: "application/json",
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  html: "text/html",
  xml: "application/xml",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  odt: "application/vnd.oasis.opendocument.text",
  epub: "application/epub+zip",
  zip: "application/zip",
  mp3: "audio/mpeg",
  wav: "audio/wav",
  m4a: "audio/mp4",
  ogg: "audio/ogg",
  flac: "audio/flac",
  aac: "audio/aac",
  opus: "audio/opus",
  webm: "audio/webm",
  mp4: "video/mp4",
};

/** Sent when neither the caller nor the file name gives a media type. */
export const fallbackMediaType = "application/octet-stream";

/** Returns the media type for a file name's extension, or `application/octet-stream`. */
export function mediaTypeForName(filename: string): string {
  const dot = filename.lastIndexOf(".");
  if (dot === -1 || dot === filename.length - 1) {
    return fallbackMediaType;
  }

  const extension = filename.slice(dot + 1).toLowerCase();
  return ownValue(mediaTypes, extension) ?? fallbackMediaType;
}
