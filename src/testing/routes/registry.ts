import { agentsRoutes } from "./agents.js";
import { audioRoutes } from "./audio.js";
import { batchRoutes } from "./batch.js";
import { classifierRoutes } from "./classifiers.js";
import { completionRoutes } from "./completions.js";
import { conversationsRoutes } from "./conversations.js";
import { filesRoutes } from "./files.js";
import { librariesRoutes } from "./libraries.js";
import { modelRoutes } from "./models.js";
import { ocrRoutes } from "./ocr.js";
import { matchPath, type Route, type RouteParameters } from "./route.js";

/** Default handlers of every API area beyond chat and models, tried in order. */
export const defaultRoutes: Route[] = [
  ...completionRoutes,
  ...filesRoutes,
  ...batchRoutes,
  ...agentsRoutes,
  ...conversationsRoutes,
  ...librariesRoutes,
  ...ocrRoutes,
  ...classifierRoutes,
  ...audioRoutes,
  ...modelRoutes,
];

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
