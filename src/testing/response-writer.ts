import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Pacer } from "./pacer.js";
import { type ResponsePlan, toBytes } from "./reply-plan.js";
import type { ScriptedReply, ServerFault } from "./types.js";

/** Step after the last body write: end the response, close the socket, or leave it stalled. */
type Ending = "end" | "close" | "stall";

interface FaultedBody {
  chunks: Uint8Array[];
  ending: Ending;
  /** Length announced in `content-length`, which a cut body no longer reaches. */
  declaredLength: number;
}

const MALFORMED_JSON = '{"id":"malformed","object":"chat.completion","choices":[{"message":';
const MALFORMED_EVENT = 'data: {"id":"malformed","object":"chat.completion.chunk","choices":[{\n\n';

/**
 * Sends a planned response with the pacing and fault of the scripted reply, if any. Resolves
 * once the last byte is written, the socket is closed, or the response is left stalled.
 */
export async function sendPlan(
  response: ServerResponse,
  plan: ResponsePlan,
  reply: ScriptedReply | undefined,
  pacer: Pacer,
): Promise<void> {
  if (reply === undefined) {
    await sendUnscripted(response, plan, pacer);
  } else {
    await sendScripted(response, plan, reply, pacer);
  }
}

/** Sends a default response, the common case, so it does no more work than needed. */
async function sendUnscripted(response: ServerResponse, plan: ResponsePlan, pacer: Pacer) {
  writeHead(response, plan, byteLength(plan.chunks));
  if (plan.chunks.length <= 1) {
    response.end(plan.chunks[0]);
    return;
  }

  if (await writeChunks(response, plan.chunks, pacer, 0)) {
    response.end();
  }
}

async function sendScripted(
  response: ServerResponse,
  plan: ResponsePlan,
  reply: ScriptedReply,
  pacer: Pacer,
): Promise<void> {
  if (reply.delayBeforeHeadersMs) {
    await pacer.sleep(reply.delayBeforeHeadersMs);
  }

  if (isGone(response) || pacer.closed || reply.fault === "black-hole") {
    return;
  }

  if (reply.fault === "close-before-headers") {
    response.socket?.destroy();
    return;
  }

  const chunks = reply.byteByByte ? splitIntoBytes(plan.chunks) : plan.chunks;
  const contentType = plan.headers["content-type"] ?? "";
  const body = applyFault(chunks, reply.fault, reply.faultAfterWrites, contentType);
  writeHead(response, plan, body.declaredLength);
  if (body.chunks.length === 0 && body.ending !== "end") {
    response.flushHeaders();
  }

  const complete = await writeChunks(response, body.chunks, pacer, reply.writeDelayMs ?? 0);
  if (!complete) {
    return;
  }

  if (body.ending === "end") {
    response.end();
  } else if (body.ending === "close") {
    await closeAfterFlush(response.socket, pacer);
  }
}

/**
 * Writes exact response bytes to the socket, bypassing the HTTP layer, then closes the socket.
 */
export async function sendRaw(socket: Socket, reply: ScriptedReply, pacer: Pacer): Promise<void> {
  const pieces = (reply.rawResponse ?? []).map(toBytes);
  const chunks = reply.byteByByte ? splitIntoBytes(pieces) : pieces;
  if (reply.delayBeforeHeadersMs) {
    await pacer.sleep(reply.delayBeforeHeadersMs);
  }

  for (let index = 0; index < chunks.length; index++) {
    if (index > 0) {
      await pacer.pause(reply.writeDelayMs ?? 0);
    }

    if (socket.destroyed || pacer.closed) {
      return;
    }

    socket.write(chunks[index]!);
  }

  await closeAfterFlush(socket, pacer);
}

function writeHead(response: ServerResponse, plan: ResponsePlan, declaredLength: number): void {
  const headers = { ...plan.headers };
  const hasLength = "content-length" in headers || "transfer-encoding" in headers;
  if (plan.framing === "content-length" && !hasLength && mayHaveBody(plan.status)) {
    headers["content-length"] = String(declaredLength);
  }

  if (plan.framing === "close") {
    // Without a length or chunked coding, the body ends when the socket closes (RFC 9112 6.3).
    response.removeHeader("transfer-encoding");
    headers["connection"] ??= "close";
  }

  response.writeHead(plan.status, headers);
}

function applyFault(
  chunks: Uint8Array[],
  fault: ServerFault | undefined,
  afterWrites: number | undefined,
  contentType: string,
): FaultedBody {
  const total = byteLength(chunks);
  if (fault === "malformed") {
    const sent = chunks.slice(0, afterWrites ?? Math.floor(chunks.length / 2));
    const garbage = contentType.includes("event-stream") ? MALFORMED_EVENT : MALFORMED_JSON;
    sent.push(Buffer.from(garbage));
    return { chunks: sent, ending: "end", declaredLength: byteLength(sent) };
  }

  if (fault === "close-mid-body" || fault === "stall-mid-body") {
    const sent = afterWrites === undefined ? firstHalf(chunks) : chunks.slice(0, afterWrites);
    const ending = fault === "close-mid-body" ? "close" : "stall";
    return { chunks: sent, ending, declaredLength: total };
  }

  return { chunks, ending: "end", declaredLength: total };
}

/** Half of the writes, or half of the bytes when the body is a single write. */
function firstHalf(chunks: Uint8Array[]): Uint8Array[] {
  if (chunks.length === 1) {
    const only = chunks[0]!;
    return [only.subarray(0, Math.floor(only.byteLength / 2))];
  }

  return chunks.slice(0, Math.floor(chunks.length / 2));
}

/** Writes each chunk separately; returns false when the client went away first. */
async function writeChunks(
  response: ServerResponse,
  chunks: Uint8Array[],
  pacer: Pacer,
  delayMs: number,
): Promise<boolean> {
  for (let index = 0; index < chunks.length; index++) {
    if (index > 0) {
      await pacer.pause(delayMs);
    }

    if (isGone(response) || pacer.closed) {
      return false;
    }

    if (!response.write(chunks[index]!)) {
      await waitForDrain(response);
    }
  }

  return !isGone(response) && !pacer.closed;
}

function waitForDrain(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off("drain", done);
      response.off("close", done);
      resolve();
    };
    response.on("drain", done);
    response.on("close", done);
  });
}

/**
 * Closes the socket once written bytes have reached the kernel, so the client receives them
 * before the end of the connection.
 */
async function closeAfterFlush(socket: Socket | null, pacer: Pacer): Promise<void> {
  if (socket === null) {
    return;
  }

  await pacer.nextTurn();
  if (socket.writableLength > 0 && !socket.destroyed) {
    await new Promise<void>((resolve) => {
      socket.once("drain", resolve);
      socket.once("close", resolve);
    });
  }

  socket.destroy();
}

function splitIntoBytes(chunks: Uint8Array[]): Uint8Array[] {
  const bytes: Uint8Array[] = [];
  for (const chunk of chunks) {
    for (let index = 0; index < chunk.byteLength; index++) {
      bytes.push(chunk.subarray(index, index + 1));
    }
  }

  return bytes;
}

function byteLength(chunks: Uint8Array[]): number {
  return chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
}

/** Checks the status against RFC 9110, which forbids a body and its length on 1xx, 204 and 304. */
function mayHaveBody(status: number): boolean {
  return status >= 200 && status !== 204 && status !== 304;
}

function isGone(response: ServerResponse): boolean {
  return response.destroyed || response.socket === null || response.socket.destroyed;
}
