import { ConfigurationError } from "../core/errors/client-errors.js";

/** The `dangerously...` opt-ins of the client options, checked. Each defaults to false. */
export interface SecuritySettings {
  allowBrowser: boolean;
  allowInsecureTLS: boolean;
  allowAuthorizationHeader: boolean;
}

/** Reads the opt-ins, rejecting anything but a boolean so a string "false" never opts in. */
export function resolveSecuritySettings(options: {
  dangerouslyAllowBrowser?: boolean | undefined;
  dangerouslyAllowInsecureTLS?: boolean | undefined;
  dangerouslyAllowAuthorizationHeader?: boolean | undefined;
}): SecuritySettings {
  return {
    allowBrowser: optionalFlag(options.dangerouslyAllowBrowser, "dangerouslyAllowBrowser"),
    allowInsecureTLS: optionalFlag(
      options.dangerouslyAllowInsecureTLS,
      "dangerouslyAllowInsecureTLS",
    ),
    allowAuthorizationHeader: optionalFlag(
      options.dangerouslyAllowAuthorizationHeader,
      "dangerouslyAllowAuthorizationHeader",
    ),
  };
}

function optionalFlag(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") {
    throw new ConfigurationError(`The ${name} option must be true or false; got ${typeof value}`);
  }

  return value;
}
