// Cost of the guardrails and telemetry of mistralai-ts. Three configurations run the scenarios of
// `guardScenarioIds` for `guardRounds` rounds, each in a fresh process per repetition, in the same
// rotation as the other clients. They are the floor (`telemetry: false`, no `rateLimits`), the
// defaults, and everything on. Plain fetch runs the same way as their baseline. Their CPU time is
// divided by the floor's in the same repetition. CPU profiles of chat-1 give the self time of the
// guardrail and telemetry code in each configuration.

import { ratiosPerRepetition, summarizeClient, times, verdictAtMost } from "./aggregate.mjs";
import { guardBaselineName } from "./clients.mjs";
import {
  defaultsName,
  everythingOnName,
  guardConfigurationNames,
  telemetryOffName,
} from "./mistralai-ts-clients.mjs";
import { guardRounds, guardScenarioIds, scenarios } from "./scenarios.mjs";
import { formatNumber, median } from "./stats.mjs";

/** Largest CPU time of a configuration with guardrails or telemetry on, over the floor's. */
const enabledLimit = 1.1;
/** Largest self time of the guardrail and telemetry code in the floor, as a share of busy time. */
const disabledShareLimit = 0.01;

/** Sources of the limiter, the retry budget, the call tracker and the telemetry observers. */
const guardSources = [
  /^src\/telemetry\//,
  /^src\/guard\/(rate-limiter|limit-windows|create-limiter|retry-budget|token-estimate)\.ts:/,
  /^src\/core\/(call-tracker|call-observer)\.ts:/,
];
/** Methods of src/core/transport.ts that exist only to feed the limiter and the observers. */
const transportGuardSteps = new Set(["#startCall", "#waitForLimits", "#observeHeaders"]);

/** Sources of the parts the defaults leave off: limiter, audit events, logging, OpenTelemetry. */
const offInDefaultsSources = [
  /^src\/guard\/(rate-limiter|limit-windows|create-limiter|token-estimate)\.ts:/,
  /^src\/telemetry\/(audit-observer|audit-event-stream|audit-events|log-observer)\.ts:/,
  /^src\/telemetry\/(repeat-filter|redaction|opentelemetry|gen-ai-attributes|gen-ai-messages)\.ts:/,
];

const labels = {
  [telemetryOffName]: "`telemetry: false` (floor)",
  [defaultsName]: "defaults",
  [everythingOnName]: "everything on",
  [guardBaselineName]: "plain fetch",
};

const micros = (value) => formatNumber(value, value < 10 ? 2 : 1);
const percent = (value) => `${formatNumber(value * 100, 2)} %`;

function table(header, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** True when the run measured the floor, so the other configurations have a baseline. */
function hasGuardRuns(runs) {
  return runs.some((run) => run.client === telemetryOffName);
}

/**
 * Per guard scenario, for each configuration and plain fetch: the medians of `summarizeClient`,
 * the median ratio to the floor with the ratio of each repetition, and the median ratio to plain
 * fetch run the same way. Undefined when the run has no floor figures.
 */
export function summarizeGuardCost(runs) {
  if (!hasGuardRuns(runs)) return undefined;
  const summary = {};
  for (const id of guardScenarioIds) {
    const scenario = scenarios.find((item) => item.id === id);
    const perClient = {};
    for (const client of [...guardConfigurationNames, guardBaselineName]) {
      const ratiosToFloor = ratiosPerRepetition(runs, client, telemetryOffName, id);
      perClient[client] = {
        ...summarizeClient(runs, client, scenario),
        ratioToFetch: median(ratiosPerRepetition(runs, client, guardBaselineName, id)),
        ratioToFloor: median(ratiosToFloor),
        ratiosToFloor,
      };
    }

    summary[id] = { scenario, perClient };
  }

  return summary;
}

function isGuardCode(entry) {
  if (guardSources.some((pattern) => pattern.test(entry.location))) return true;
  return entry.location.startsWith("src/core/transport.ts:") && transportGuardSteps.has(entry.name);
}

function isOffInDefaults(entry) {
  if (offInDefaultsSources.some((pattern) => pattern.test(entry.location))) return true;
  return entry.location.startsWith("src/core/transport.ts:") && entry.name === "#waitForLimits";
}

/**
 * Returns the self time of the dist/ functions that `isPart` selects in one profile: per request,
 * as a share of busy time, and the largest functions.
 */
function selfTime(profile, isPart = isGuardCode) {
  const entries = profile.library.filter(isPart);
  const total = entries.reduce((sum, entry) => sum + entry.micros, 0);
  return {
    microsPerRequest: total / profile.operations,
    share: total / profile.busyMicros,
    largest: entries.slice(0, 4),
  };
}

/**
 * chat-1 profiles of the three configurations, or undefined when the run made none. The defaults
 * reuse the profile of the Profiles section, which ran chat-1 alone in its process as these did.
 */
function chatProfiles(results) {
  const defaults = results.profiles?.find((item) => item.scenarioId === "chat-1")?.library;
  const others = results.configurationProfiles;
  if (defaults === undefined || others === undefined) return undefined;
  return {
    [telemetryOffName]: others[telemetryOffName],
    [defaultsName]: defaults,
    [everythingOnName]: others[everythingOnName],
  };
}

/**
 * Rows of the disabled code: all guardrail and telemetry code in the floor's profile, and the
 * parts the defaults leave off in the defaults' profile.
 */
function disabledRows(results) {
  const goal = `nothing (< ${formatNumber(disabledShareLimit * 100)} % of CPU time)`;
  const figures = [
    [telemetryOffName, isGuardCode, "guardrail and telemetry code"],
    [defaultsName, isOffInDefaults, "limiter, audit events, logging and OpenTelemetry"],
  ];
  const profiles = chatProfiles(results);
  return figures.map(([client, isPart, parts]) => {
    const figure = `${labels[client]}: self time of ${parts}, chat, 1 in flight`;
    if (profiles === undefined) {
      return [figure, goal, "not measured in this run (--quick)", "not measured"];
    }

    const { microsPerRequest, share } = selfTime(profiles[client], isPart);
    const measured = `${micros(microsPerRequest)} µs per request (${percent(share)})`;
    return [figure, goal, measured, verdictAtMost(share, disabledShareLimit, percent)];
  });
}

/** Rows of the goals table: enabled configurations against the floor, then the disabled code. */
export function guardGoalRows(summary, results) {
  if (summary === undefined) return [];
  const rows = [];
  for (const client of [everythingOnName, defaultsName]) {
    for (const id of guardScenarioIds) {
      const { scenario, perClient } = summary[id];
      const ratio = perClient[client].ratioToFloor;
      rows.push([
        `${labels[client]} vs \`telemetry: false\`, CPU: ${scenario.title}`,
        `≤ ${times(enabledLimit)}`,
        times(ratio),
        verdictAtMost(ratio, enabledLimit, times),
      ]);
    }
  }

  rows.push(...disabledRows(results));
  return rows;
}

function scenarioTable({ scenario, perClient }) {
  const unit = scenario.kind === "stream" ? "chunk" : "request";
  const rows = Object.entries(perClient).map(([client, entry]) => {
    return [
      labels[client],
      micros(entry.cpuMicrosPerOperation),
      times(entry.ratioToFloor),
      entry.ratiosToFloor.map((value) => formatNumber(value, 2)).join(", "),
      times(entry.ratioToFetch),
      formatNumber(entry.operationsPerSecond),
    ];
  });
  const header = [
    "configuration",
    `CPU µs per ${unit}`,
    "ratio to floor",
    "ratio to floor per repetition",
    "ratio to fetch",
    `${unit}s/s`,
  ];
  return [`### ${scenario.title}`, "", table(header, rows)].join("\n");
}

function profileTable(results) {
  const profiles = chatProfiles(results);
  if (profiles === undefined) return "Profiles: not measured in this run (--quick).";
  const rows = guardConfigurationNames.map((client) => {
    const { microsPerRequest, share, largest } = selfTime(profiles[client]);
    const offParts = selfTime(profiles[client], isOffInDefaults).microsPerRequest;
    const functions = largest
      .map((entry) => `\`${entry.name}\` (${micros(entry.microsPerOperation)})`)
      .join(", ");
    return [labels[client], micros(microsPerRequest), percent(share), micros(offParts), functions];
  });
  const header = [
    "configuration",
    "µs per request",
    "share of busy time",
    "of which limiter, events, logging, OpenTelemetry (µs per request)",
    "largest (µs per request)",
  ];
  return [
    "### Self time of the guardrail and telemetry code, chat, 1 in flight (profiled)",
    "",
    table(header, rows),
  ].join("\n");
}

/** Events and log lines per call counted by the everything-on processes, as a check it ran. */
function countsSentence(runs) {
  const summaries = runs
    .filter((run) => run.client === everythingOnName && run.summary?.calls > 0)
    .map((run) => run.summary);
  if (summaries.length === 0) return "";
  const perCall = (key) => median(summaries.map((summary) => summary[key] / summary.calls));
  return (
    `In the everything-on processes, each call produced ${formatNumber(perCall("events"), 1)} ` +
    `audit events and ${formatNumber(perCall("logLines"), 1)} log lines (medians).`
  );
}

const methodText = [
  "Three configurations of mistralai-ts run the scenarios below, each in a fresh process per",
  "repetition, in the same rotation as the clients above. A process runs the three scenarios",
  `${guardRounds} times in turn and keeps, per scenario, the round with the median CPU time,`,
  "because a single measured run spreads by more than the 10 % the goal must resolve. Ratios",
  "divide a configuration's CPU time by the floor's in the same repetition, and the tables show",
  "their median. The defaults run in processes of their own, apart from the mistralai-ts rows",
  "above, so that all three configurations run the same scenarios before each measured run.",
  "Plain fetch runs the same rounds in a process of its own per repetition, and the ratio to",
  "fetch is taken against it. These figures compare with each other, not with the tables",
  "above, whose processes run each scenario once.",
  "",
  "- `telemetry: false` with no `rateLimits` is the floor: the client has no observer and no",
  "  limiter, so a call gets no tracker. The retry budget stays on, because its only switch,",
  "  `rateLimits: { retryBudget: false }`, also builds a limiter (with no limits). With no",
  "  failures it costs one addition and one comparison per call.",
  "- The defaults: metrics, the audit observer (with no handler or reader), anomaly detection",
  "  and the retry budget.",
  "- Everything on: requests per second, tokens per minute and concurrency limits, client-wide",
  "  and per user, set far above the rates reached so no call waits. Each call passes a `user`",
  "  request option, taken in turn from 8 users. Metrics are on, an `onEvent` handler counts",
  "  events, and logging at level `info` goes to a logger whose methods only count their calls.",
  "",
  "Whether the disabled code costs nothing cannot be read from CPU time: the library has no",
  "build without it to compare with, and a difference of 1 % is below the spread between",
  "repetitions. So a CPU profile of chat-1 in each configuration (`bench/profile.mjs`) sums the",
  "self time of the code that only runs for guardrails and telemetry. That code is",
  "`src/telemetry/`, the limiter, the retry budget, the call tracker and observers, and the",
  "transport steps that feed them. Self time leaves out Node functions that code calls, so these sums are lower bounds.",
  "The same sum over the parts the defaults leave off (the limiter, audit events, logging and",
  "OpenTelemetry) shows what those parts cost when they are off.",
].join("\n");

/** Returns the guardrail cost section of the page. */
export function guardCostSection(summary, results) {
  const title = "## Cost of the guardrails and telemetry";
  if (summary === undefined) return `${title}\n\nNot measured in this run.`;
  const parts = [title, "", methodText, ""];
  for (const id of guardScenarioIds) parts.push(scenarioTable(summary[id]), "");
  parts.push(profileTable(results), "", countsSentence(results.timed));
  return parts.join("\n").trimEnd();
}
