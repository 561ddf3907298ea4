import { inspect } from "node:util";
import { expect } from "vitest";

/** Returns each text form in which a value reaches a log: message, stack, String, JSON, inspect. */
export function renderedForms(value: unknown): Array<[string, string]> {
  const forms: Array<[string, string]> = [
    ["String()", safely(() => String(value))],
    ["JSON.stringify()", safely(() => JSON.stringify(value) ?? "")],
    ["util.inspect()", inspect(value, { depth: 10, showHidden: true })],
  ];
  if (value instanceof Error) {
    forms.push(["message", value.message], ["stack", value.stack ?? ""]);
  }

  let cause = value instanceof Error ? value.cause : undefined;
  for (let depth = 1; cause !== undefined && depth <= 5; depth++) {
    for (const [name, text] of renderedForms(cause)) {
      forms.push([`cause ${depth} ${name}`, text]);
    }

    cause = cause instanceof Error ? cause.cause : undefined;
  }

  return forms;
}

/** Fails when any rendered form of `value` contains one of the secrets, naming the form. */
export function expectNoSecrets(value: unknown, secrets: readonly string[]): void {
  for (const [form, text] of renderedForms(value)) {
    for (const secret of secrets) {
      expect(text.includes(secret), `${form} contains ${JSON.stringify(secret)}:\n${text}`).toBe(
        false,
      );
    }
  }
}

function safely(render: () => string): string {
  try {
    return render();
  } catch (error) {
    return `[render failed: ${String(error)}]`;
  }
}
