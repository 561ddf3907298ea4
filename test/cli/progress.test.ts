import { describe, expect, it } from "vitest";
import {
  byteProgress,
  formatBar,
  formatBytes,
  formatPlainLine,
  formatTerminalLine,
  ProgressDisplay,
  type ProgressState,
} from "../../src/cli/progress.js";

/** Creates a stand-in for stderr that records writes, and a clock that the test advances. */
function fakeStderr(isTTY: boolean, columns = 80) {
  const writes: string[] = [];
  let time = 0;
  const stream = {
    isTTY,
    columns,
    write: (text: string) => {
      writes.push(text);
      return true;
    },
  };
  return {
    stream,
    writes,
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

function state(done: number, stage?: string): ProgressState {
  return { label: "Uploading a.bin", fraction: done / 100, detail: `${done} of 100`, stage };
}

describe("ProgressDisplay on a terminal", () => {
  it("redraws one line and ends it", () => {
    const stderr = fakeStderr(true);
    const display = new ProgressDisplay(stderr.stream, { now: stderr.now });
    display.update(state(10));
    stderr.advance(200);
    display.update(state(60));
    display.end();

    expect(stderr.writes).toEqual([
      `\r${formatTerminalLine(state(10))}`,
      `\r${formatTerminalLine(state(60))}`,
      "\n",
    ]);
    expect(stderr.writes.join("")).not.toContain("\n\r");
  });

  it("limits redraws to one per 100 ms", () => {
    const stderr = fakeStderr(true);
    const display = new ProgressDisplay(stderr.stream, { now: stderr.now });
    for (let done = 0; done <= 100; done += 10) {
      display.update(state(done));
      stderr.advance(25);
    }

    display.end();
    // 11 updates over 250 ms: drawn at 0, 100 and 200 ms, and the last one, held back, by end().
    expect(stderr.writes).toHaveLength(5);
    expect(stderr.writes[3]).toBe(`\r${formatTerminalLine(state(100))}`);
    expect(stderr.writes[4]).toBe("\n");
  });

  it("blanks the rest of a longer previous line", () => {
    const stderr = fakeStderr(true);
    const display = new ProgressDisplay(stderr.stream, { now: stderr.now });
    display.update({ label: "Long label here", fraction: undefined, detail: "1.0 MiB" });
    stderr.advance(200);
    display.update({ label: "Short", fraction: undefined, detail: "x" });

    expect(stderr.writes[1]).toBe(`\rShort x${" ".repeat("Long label here 1.0 MiB".length - 7)}`);
  });

  it("cuts lines to the terminal width", () => {
    const stderr = fakeStderr(true, 50);
    const display = new ProgressDisplay(stderr.stream, { now: stderr.now });
    display.update({ label: "x".repeat(100), fraction: 0.5, detail: "detail" });

    expect(stderr.writes[0]).toBe(`\r${"x".repeat(49)}`);
  });

  it("writes nothing when nothing was shown", () => {
    const stderr = fakeStderr(true);
    new ProgressDisplay(stderr.stream, { now: stderr.now }).end();

    expect(stderr.writes).toEqual([]);
  });
});

describe("ProgressDisplay without a terminal", () => {
  it("prints plain lines at most once per second", () => {
    const stderr = fakeStderr(false);
    const display = new ProgressDisplay(stderr.stream, { now: stderr.now });
    for (let done = 0; done <= 100; done += 5) {
      display.update(state(done));
      stderr.advance(150);
    }

    display.end();
    expect(stderr.writes).toEqual([
      "Uploading a.bin:   0% (0 of 100)\n",
      "Uploading a.bin:  35% (35 of 100)\n",
      "Uploading a.bin:  70% (70 of 100)\n",
      "Uploading a.bin: 100% (100 of 100)\n",
    ]);
  });

  it("prints each new stage at once", () => {
    const stderr = fakeStderr(false);
    const display = new ProgressDisplay(stderr.stream, { now: stderr.now });
    display.update(state(0, "QUEUED"));
    display.update(state(50, "RUNNING"));
    display.update(state(60, "RUNNING"));
    display.update(state(100, "SUCCESS"));
    display.end();

    expect(stderr.writes).toEqual([
      "Uploading a.bin:   0% (0 of 100)\n",
      "Uploading a.bin:  50% (50 of 100)\n",
      "Uploading a.bin: 100% (100 of 100)\n",
    ]);
  });

  it("skips a line equal to the previous one", () => {
    const stderr = fakeStderr(false);
    const display = new ProgressDisplay(stderr.stream, { now: stderr.now });
    display.update(state(40));
    stderr.advance(5000);
    display.update(state(40));
    display.end(state(40));

    expect(stderr.writes).toHaveLength(1);
  });

  it("ignores updates after end()", () => {
    const stderr = fakeStderr(false);
    const display = new ProgressDisplay(stderr.stream, { now: stderr.now });
    display.end(state(100));
    display.update(state(50, "other"));

    expect(stderr.writes).toEqual(["Uploading a.bin: 100% (100 of 100)\n"]);
  });
});

describe("progress formats", () => {
  it("draws a bar of 24 characters", () => {
    expect(formatBar(0)).toBe(`[${"-".repeat(24)}]`);
    expect(formatBar(0.5)).toBe(`[${"#".repeat(12)}${"-".repeat(12)}]`);
    expect(formatBar(1.7)).toBe(`[${"#".repeat(24)}]`);
    expect(formatBar(Number.NaN)).toBe(`[${"-".repeat(24)}]`);
  });

  it.each([
    [0, "0 B"],
    [1023, "1023 B"],
    [1536, "1.5 KiB"],
    [5 * 1024 * 1024, "5.0 MiB"],
    [3 * 1024 ** 3, "3.00 GiB"],
  ])("formats %i bytes as %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it("formats a transfer with and without a total", () => {
    expect(formatPlainLine(byteProgress("Sending", 512, 2048))).toBe(
      "Sending:  25% (512 B of 2.0 KiB)",
    );
    expect(formatPlainLine(byteProgress("Sending", 512, undefined))).toBe("Sending: 512 B");
    expect(formatTerminalLine(byteProgress("Sending", 1024, 1024))).toBe(
      `Sending [${"#".repeat(24)}] 100% 1.0 KiB of 1.0 KiB`,
    );
  });
});
