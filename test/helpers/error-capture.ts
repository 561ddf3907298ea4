/**
 * Awaits a promise that should reject and returns its rejection reason. Fails with a clear
 * message when the promise resolves, so a missing error is not mistaken for a wrong one.
 */
export async function captureRejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }

  throw new Error("Expected the promise to reject, but it resolved");
}

/** Calls a function that should throw and returns what it threw. */
export function captureThrow(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }

  throw new Error("Expected the function to throw, but it returned");
}

/** Reads every item of an async iterable and returns the items and the error that ended it. */
export async function drain<T>(
  iterable: AsyncIterable<T>,
): Promise<{ items: T[]; error: unknown; receivedAt: number[] }> {
  const items: T[] = [];
  const receivedAt: number[] = [];
  try {
    for await (const item of iterable) {
      items.push(item);
      receivedAt.push(Date.now());
    }
  } catch (error) {
    return { items, error, receivedAt };
  }

  return { items, error: undefined, receivedAt };
}
