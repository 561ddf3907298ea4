import { jsonPlan, type ResponsePlan } from "./reply-plan.js";

/** One entry of a 422 `detail` list, in the API's validation error shape. */
export interface ValidationIssue {
  type: string;
  loc: Array<string | number>;
  msg: string;
  input: unknown;
}

/** Builds an error response in the API's envelope: `{object, message, type, param, code}`. */
export function errorPlan(
  status: number,
  message: string,
  type: string,
  code: string | null = null,
): ResponsePlan {
  return jsonPlan(status, { object: "error", message, type, param: null, code });
}

/** Builds the 422 response of a request that failed validation. */
export function validationErrorPlan(issues: ValidationIssue[]): ResponsePlan {
  return jsonPlan(422, {
    object: "error",
    message: { detail: issues },
    type: "invalid_request_error",
    param: null,
    code: null,
  });
}
