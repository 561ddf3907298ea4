import {
  createUndiciFetch,
  type UndiciFetch,
  type UndiciFetchOptions,
} from "../../src/undici/index.js";
import type { CleanupContext } from "../helpers/loopback-fixture.js";

/** Creates an undici transport that closes when the test of `context` finishes. */
export function undiciFetchFor(context: CleanupContext, options?: UndiciFetchOptions): UndiciFetch {
  const undiciFetch = createUndiciFetch(options);
  context.onTestFinished(() => undiciFetch.close());
  return undiciFetch;
}
