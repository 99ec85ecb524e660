/**
 * Validation of payloads against their type's Standard Schema: at enqueue (nothing invalid is
 * stored) and again before a handler runs (a stored payload that no longer parses fails the
 * job). Without `jobs` every type passes through unchanged.
 */
import { InvalidPayloadError, type PayloadIssue, UnknownJobTypeError } from "../errors.js";
import { type JobDefinitions, payloadSchema } from "../job-types.js";
import type { StandardSchema, StandardSchemaIssue } from "../standard-schema.js";

function issuePath(issue: StandardSchemaIssue): string {
  return (issue.path ?? [])
    .map((segment) => String(typeof segment === "object" ? segment.key : segment))
    .join(".");
}

/** The job types of one queue, and the checks they imply. */
export class JobSchemas {
  constructor(readonly definitions: JobDefinitions | undefined) {}

  /** Throws {@link UnknownJobTypeError} when the queue defines types and `type` is not one. */
  assertKnown(type: string): void {
    if (this.definitions && !Object.hasOwn(this.definitions, type)) {
      throw new UnknownJobTypeError();
    }
  }

  /**
   * The payload as the type's schema outputs it; throws {@link InvalidPayloadError} with the
   * schema's issues. Untyped queues (and types) return the payload as it is.
   */
  async parse(type: string, payload: unknown): Promise<unknown> {
    this.assertKnown(type);
    return this.parseStored(type, payload);
  }

  /** Whether a stored payload of `type` goes through a schema before its handler sees it. */
  parses(type: string): boolean {
    return this.definitions !== undefined && Object.hasOwn(this.definitions, type);
  }

  /**
   * A stored payload as its type's schema outputs it, for the handler. A type the queue does
   * not define (another queue object may have enqueued it) is passed through as stored.
   */
  async parseStored(type: string, payload: unknown): Promise<unknown> {
    const definition = this.parses(type) ? this.definitions?.[type] : undefined;
    if (!definition) return payload;
    let result: Awaited<ReturnType<StandardSchema["~standard"]["validate"]>>;
    try {
      result = await payloadSchema(definition)["~standard"].validate(payload);
    } catch {
      // A schema that throws (a transform on bad input, a custom validator's bug) refuses the
      // payload like one that reports issues; what it threw is not repeated.
      throw new InvalidPayloadError([{ path: "", message: "the schema could not check it" }]);
    }
    if (result.issues) {
      const issues: PayloadIssue[] = result.issues.map((issue) => ({
        path: issuePath(issue),
        message: issue.message,
      }));
      throw new InvalidPayloadError(issues);
    }
    return result.value;
  }
}
