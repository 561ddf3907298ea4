import { once } from "node:events";

/** C0 and C1 control characters except tab and line feed, ESC included. */
const controlCharacters = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Removes control characters, so text from the server cannot move the cursor, change colours or
 * set the window title of the terminal that shows it.
 */
export function stripControlCharacters(text: string): string {
  return text.replace(controlCharacters, "");
}

/**
 * Results go to stdout and diagnostics to stderr. Text written with `text()` is cleaned of
 * control characters when stdout is a terminal, and kept byte for byte when it is a pipe or file.
 */
export class Output {
  readonly #stdout: NodeJS.WriteStream;
  readonly #stderr: NodeJS.WriteStream;
  /** Whether stdout ends inside a line, so a diagnostic must start on a new one. */
  #openLine = false;

  constructor(stdout: NodeJS.WriteStream, stderr: NodeJS.WriteStream) {
    this.#stdout = stdout;
    this.#stderr = stderr;
  }

  get stdoutIsTerminal(): boolean {
    return this.#stdout.isTTY === true;
  }

  get stderrIsTerminal(): boolean {
    return this.#stderr.isTTY === true;
  }

  /** Writes a piece of model output, waiting for the pipe to drain when it is full. */
  async text(text: string): Promise<void> {
    const shown = this.stdoutIsTerminal ? stripControlCharacters(text) : text;
    if (shown === "") return;
    this.#openLine = !shown.endsWith("\n");
    if (!this.#stdout.write(shown)) await once(this.#stdout, "drain");
  }

  /** Ends the current stdout line, if one is open. */
  async endLine(): Promise<void> {
    if (this.#openLine) await this.text("\n");
  }

  /** Writes a whole result line (a table row, a JSON document) to stdout. */
  async line(text: string): Promise<void> {
    await this.text(`${text}\n`);
  }

  /** Writes a diagnostic line to stderr, after ending an open stdout line on a terminal. */
  diagnostic(text: string): void {
    if (this.#openLine && this.stdoutIsTerminal && this.stderrIsTerminal) {
      this.#stdout.write("\n");
      this.#openLine = false;
    }

    this.#stderr.write(`${text}\n`);
  }

  /** Resolves once everything written so far was handed to the operating system. */
  async flush(): Promise<void> {
    await Promise.all([flushStream(this.#stdout), flushStream(this.#stderr)]);
  }
}

function flushStream(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    stream.write("", () => resolve());
  });
}
