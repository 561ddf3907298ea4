import { describe, expect, it } from "vitest";
import { apiPath, encodePathParameter } from "../../src/core/path.js";
import { isMistralError } from "../../src/index.js";

describe("encodePathParameter", () => {
  it("encodes ordinary ids", () => {
    expect(encodePathParameter("ft:open-mistral-7b:abc:20240101", "model_id")).toBe(
      "ft%3Aopen-mistral-7b%3Aabc%3A20240101",
    );
    expect(encodePathParameter("a b", "id")).toBe("a%20b");
  });

  const rejected = [
    "",
    ".",
    "..",
    "a/b",
    "../files",
    "a\\b",
    "a?b=1",
    "a#frag",
    "a\nb",
    "%2e%2e",
    "a%2Fb",
    "a%3Fb",
    "a%23b",
    "%00",
  ];
  for (const value of rejected) {
    it(`rejects ${JSON.stringify(value)}`, () => {
      let error: unknown;
      try {
        encodePathParameter(value, "file_id");
      } catch (caught) {
        error = caught;
      }

      expect(isMistralError(error, "validation")).toBe(true);
      expect(String(error)).toContain("file_id");
    });
  }

  it("rejects values that are not strings", () => {
    expect(() => encodePathParameter({}, "id")).toThrow(/must be a string/);
  });

  it("apiPath encodes every interpolated value", () => {
    expect(apiPath`/v1/models/${"a:b"}/x/${"c d"}`).toBe("/v1/models/a%3Ab/x/c%20d");
    expect(() => apiPath`/v1/files/${"../secrets"}`).toThrow(/Invalid path parameter/);
  });
});
