import { completionRoutes } from "./completions.js";
import { matchPath, type Route, type RouteParameters } from "./route.js";

/** Default handlers of every API area beyond chat and models, tried in order. */
export const defaultRoutes: Route[] = [...completionRoutes];

/** Finds the first route whose method and path template match. */
export function findRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; parameters: RouteParameters } | { allowed: string[] } | undefined {
  const allowed: string[] = [];
  for (const route of routes) {
    const parameters = matchPath(route.path, path);
    if (parameters === undefined) continue;
    if (route.method === method) return { route, parameters };
    allowed.push(route.method);
  }

  return allowed.length > 0 ? { allowed } : undefined;
}
