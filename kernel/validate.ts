/**
 * Validation of notebooks against the official nbformat v4.5 JSON schema (vendored from the
 * nbformat project, BSD-3-Clause, as kernel/schema/nbformat.v4.5.schema.json).
 *
 * @module
 */

import { Validator } from "@cfworker/json-schema";
import schema from "./schema/nbformat.v4.5.schema.json" with { type: "json" };
import type { Notebook } from "./nbformat.ts";

let validator: Validator | null = null;

/**
 * Problems found validating `nb` against nbformat 4.5 (empty when valid), each as
 * "`location`: message".
 *
 * @example
 * ```ts
 * const problems = validateNotebook(nb);
 * if (problems.length > 0) throw new Error(problems.join("\n"));
 * ```
 */
export function validateNotebook(nb: Notebook | unknown): string[] {
  validator ??= new Validator(
    schema as unknown as ConstructorParameters<typeof Validator>[0],
    "4",
    false,
  );
  const result = validator.validate(nb);
  if (result.valid) return [];
  // The validator reports every failing branch of every oneOf; the deepest locations name
  // the actual problem, so they come first.
  return result.errors
    .map((e) => `${e.instanceLocation}: ${e.error}`)
    .sort((a, b) => b.split("/").length - a.split("/").length);
}
