/**
 * The Standard Schema interface (version 1), typed here so the package has no dependency for
 * it: zod, valibot, arktype and other validators expose a `~standard` property of this shape,
 * and anything that has one is accepted wherever a schema is asked for.
 */

/** A validator that follows the Standard Schema interface, version 1. */
export interface StandardSchema<Input = unknown, Output = Input> {
  readonly "~standard": StandardSchemaProps<Input, Output>;
}

/** The `~standard` property of a {@link StandardSchema}. */
export interface StandardSchemaProps<Input = unknown, Output = Input> {
  readonly version: 1;
  /** The library that made the schema, e.g. `zod`. */
  readonly vendor: string;
  /** Checks `value`: the (possibly transformed) value, or the issues found. */
  readonly validate: (
    value: unknown,
  ) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>;
  /** Type-level only: what the schema takes and gives. */
  readonly types?: { readonly input: Input; readonly output: Output } | undefined;
}

/** A validation's outcome: the value when it passed, else the issues. */
export type StandardSchemaResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardSchemaIssue> };

/** One problem a validator found. */
export interface StandardSchemaIssue {
  readonly message: string;
  /** Where in the value: keys and indexes, plain or as `{ key }` segments. */
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}
