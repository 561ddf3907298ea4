import { isLoopbackHost } from "../core/base-url.js";
import { ConfigurationError } from "../core/errors/client-errors.js";

/**
 * Returns true when the environment turns off certificate checks for every TLS connection of the
 * process. Node.js reads this variable for each new connection and turns the checks off only
 * for `"0"`.
 */
export function isTLSVerificationOff(env: Record<string, string | undefined>): boolean {
  return env.NODE_TLS_REJECT_UNAUTHORIZED === "0";
}

/**
 * Throws when certificate checks are off for the process and the key would go to a host other
 * than loopback, unless the caller opted in with `dangerouslyAllowInsecureTLS`. Without
 * certificate checks any machine on the network path can pose as the API and read the key.
 *
 * NOTE: only the variable is detected. A custom `fetch` or dispatcher that skips certificate
 * checks (undici's `connect: { rejectUnauthorized: false }`) goes unnoticed.
 */
export function checkInsecureTLS(
  baseURL: string,
  env: Record<string, string | undefined>,
  allowInsecureTLS: boolean,
  origin = "baseURL",
): void {
  if (allowInsecureTLS || !isTLSVerificationOff(env)) return;
  // Plain http is only allowed to loopback, so a non-loopback base URL always uses TLS.
  const url = new URL(baseURL);
  if (isLoopbackHost(url.hostname)) return;
  throw new ConfigurationError(insecureTLSMessage(url.host, origin));
}

export function insecureTLSMessage(host: string, origin: string): string {
  return (
    `NODE_TLS_REJECT_UNAUTHORIZED=0 turns off certificate checks for the whole process, so ` +
    `anyone on the network path to ${host} (${origin}) could pose as the API and read the key; ` +
    "the client does not send it. Unset the variable (to trust a proxy's certificate, add it " +
    "with NODE_EXTRA_CA_CERTS), or pass dangerouslyAllowInsecureTLS: true to accept the risk"
  );
}
