/**
 * Timers of one server. `close()` cancels them and resolves every pending wait, so that no timer
 * of a closed server keeps the process alive. Callers check `closed` after each wait.
 */
export class Pacer {
  #pending = new Map<NodeJS.Timeout, () => void>();
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  /** Waits `ms` milliseconds, or until `close()`. */
  sleep(ms: number): Promise<void> {
    if (this.#closed) {
      return Promise.resolve();
    }

    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(timer);
        resolve();
      }, ms);
      this.#pending.set(timer, resolve);
    });
  }

  /**
   * Waits until the event loop has polled for I/O at least once. Two nested `setImmediate` calls
   * guarantee that: the inner one runs in the check phase of the next loop iteration, which comes
   * after that iteration's poll phase. A write made before the wait is then read by a client in
   * the same process before the next write is made.
   */
  nextTurn(): Promise<void> {
    return new Promise((resolve) => {
      setImmediate(() => setImmediate(resolve));
    });
  }

  /** Waits `ms` milliseconds when positive, otherwise one event loop turn. */
  pause(ms: number): Promise<void> {
    return ms > 0 ? this.sleep(ms) : this.nextTurn();
  }

  close(): void {
    this.#closed = true;
    for (const [timer, resolve] of this.#pending) {
      clearTimeout(timer);
      resolve();
    }

    this.#pending.clear();
  }
}
