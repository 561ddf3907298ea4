/** The stream progress is written to: stderr, or a stand-in in tests. */
export interface ProgressStream {
  write(text: string): boolean;
  isTTY?: boolean;
  /** Width of the terminal in characters, when it is one. */
  columns?: number;
}

export interface ProgressOptions {
  /** Redraw one line with `\r` instead of printing lines. Default: whether `stream` is a TTY. */
  terminal?: boolean;
  /** Minimum time between two printed lines within one stage, in milliseconds. Default: 1000. */
  lineIntervalMs?: number;
  /** Minimum time between two redraws on a terminal, in milliseconds. Default: 100. */
  redrawIntervalMs?: number;
  /** Clock in milliseconds. Default: `performance.now`. */
  now?: () => number;
}

/** One state of a long operation. */
export interface ProgressState {
  /** The operation, such as `Uploading data.jsonl`. */
  label: string;
  /** Share done, from 0 to 1, or undefined when the total is not known. */
  fraction: number | undefined;
  /** Counts shown after the percentage, such as `1.5 MiB of 3.0 MiB`. */
  detail: string;
  /**
   * Phase of the operation, such as a job status. A state of a new stage is shown at once, and
   * states within a stage are rate-limited.
   */
  stage?: string;
}

/** Width of the bar between its brackets, in characters. */
const barWidth = 24;

/** Narrowest line drawn on a terminal, for terminals that report a tiny or no width. */
const minimumLineWidth = 40;

/**
 * Progress of a long operation on stderr. On a terminal it redraws one line with `\r`, with a
 * bar. Otherwise (a pipe, a file, a CI log) it prints plain lines: one when the stage changes,
 * and at most one per `lineIntervalMs` within a stage, so a log stays short. Call `end()` before
 * writing anything else to stderr, so the next line starts on a new line.
 */
export class ProgressDisplay {
  readonly #stream: ProgressStream;
  readonly #terminal: boolean;
  readonly #lineIntervalMs: number;
  readonly #redrawIntervalMs: number;
  readonly #now: () => number;
  #shownText: string | undefined;
  #shownStage: string | undefined;
  #shownAt = Number.NEGATIVE_INFINITY;
  /** Latest state that the rate limit delayed, shown by `end()` unless a later one replaced it. */
  #pending: ProgressState | undefined;
  /** Length of the line drawn on the terminal, so a shorter redraw can blank the rest. */
  #drawnLength = 0;
  #ended = false;

  constructor(stream: ProgressStream, options: ProgressOptions = {}) {
    this.#stream = stream;
    this.#terminal = options.terminal ?? stream.isTTY === true;
    this.#lineIntervalMs = options.lineIntervalMs ?? 1000;
    this.#redrawIntervalMs = options.redrawIntervalMs ?? 100;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Shows a new state, unless the rate limit delays it. Ignored after `end()`. */
  update(state: ProgressState): void {
    if (this.#ended) return;
    const now = this.#now();
    const interval = this.#terminal ? this.#redrawIntervalMs : this.#lineIntervalMs;
    if (state.stage === this.#shownStage && now - this.#shownAt < interval) {
      this.#pending = state;
      return;
    }

    this.#show(state, now);
  }

  /** Shows the last delayed state (or `state`), and ends the line. Later updates are ignored. */
  end(state?: ProgressState): void {
    if (this.#ended) return;
    const last = state ?? this.#pending;
    if (last !== undefined) this.#show(last, this.#now());
    if (this.#terminal && this.#drawnLength > 0) this.#stream.write("\n");
    this.#ended = true;
  }

  #show(state: ProgressState, now: number): void {
    this.#pending = undefined;
    this.#shownStage = state.stage;
    const text = this.#terminal ? formatTerminalLine(state) : formatPlainLine(state);
    if (text === this.#shownText) return;
    this.#shownText = text;
    this.#shownAt = now;
    if (!this.#terminal) {
      this.#stream.write(`${text}\n`);
      return;
    }

    // Lines are cut to the terminal width, because `\r` would redraw only the last part of a
    // wrapped line. A terminal without a size (such as one under `script`) reports 0 columns.
    const columns = this.#stream.columns || 80;
    const width = Math.max(minimumLineWidth, columns - 1);
    const line = text.length > width ? text.slice(0, width) : text;
    const blank = " ".repeat(Math.max(0, this.#drawnLength - line.length));
    this.#stream.write(`\r${line}${blank}`);
    this.#drawnLength = line.length;
  }
}

/** Formats a state for a terminal: `label [#####-----]  45% detail`. */
export function formatTerminalLine(state: ProgressState): string {
  if (state.fraction === undefined) return `${state.label} ${state.detail}`;
  return `${state.label} ${formatBar(state.fraction)} ${formatPercent(state.fraction)} ${state.detail}`;
}

/** Formats a state as a plain line: `label: 45% (detail)`. */
export function formatPlainLine(state: ProgressState): string {
  if (state.fraction === undefined) return `${state.label}: ${state.detail}`;
  return `${state.label}: ${formatPercent(state.fraction)} (${state.detail})`;
}

/** Formats a bar of `barWidth` characters between brackets, such as `[######------]`. */
export function formatBar(fraction: number): string {
  const filled = Math.round(clamp(fraction) * barWidth);
  return `[${"#".repeat(filled)}${"-".repeat(barWidth - filled)}]`;
}

/** Formats a share as a whole percentage, padded to 4 characters so the line does not shift. */
export function formatPercent(fraction: number): string {
  return `${Math.floor(clamp(fraction) * 100)}%`.padStart(4);
}

/** Formats a byte count with binary units: `512 B`, `1.5 KiB`, `12.0 MiB`, `1.25 GiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** Builds the state of a transfer of `done` bytes out of `total`, which may be unknown. */
export function byteProgress(
  label: string,
  done: number,
  total: number | undefined,
): ProgressState {
  return {
    label,
    fraction: total === undefined || total === 0 ? undefined : done / total,
    detail:
      total === undefined ? formatBytes(done) : `${formatBytes(done)} of ${formatBytes(total)}`,
  };
}

/** `MISTRAL_LOG` values that leave the library's logging off. */
const logOffValues = new Set(["", "off", "none", "false", "0"]);

/**
 * Creates the display of a command on stderr. When the library logs calls there (`-v`, or
 * `MISTRAL_LOG` set to a level), it prints plain lines even on a terminal, so log lines do not
 * run into a redrawn line.
 */
export function createStderrProgress(
  verbosity: number,
  env: Record<string, string | undefined>,
): ProgressDisplay {
  const logging = verbosity > 0 || !logOffValues.has((env.MISTRAL_LOG ?? "").trim().toLowerCase());
  return new ProgressDisplay(process.stderr, {
    terminal: process.stderr.isTTY === true && !logging,
  });
}

function clamp(fraction: number): number {
  return Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
}
