/**
 * Errors callers branch on. Match on `code` (or `instanceof`), never on the message.
 */

/** Base class: every error this library throws on purpose has a literal `code`. */
export class QueueError extends Error {
  readonly code: string = "QUEUE_ERROR";
  override name = "QueueError";
  /** Set by `enqueueMany` on an error about one of its items: that item's index. */
  item?: number;
}

/** Bad input: an invalid option, payload or argument. Nothing was stored. */
export class ValidationError extends QueueError {
  override readonly code = "VALIDATION";
  override name = "ValidationError";
  /** Which field was wrong, when one field was. */
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.field = field;
  }
}

/** No job with that id in this queue (never existed, or expired after retention). */
export class JobNotFoundError extends QueueError {
  override readonly code = "JOB_NOT_FOUND";
  override name = "JobNotFoundError";
  constructor(readonly jobId: string) {
    super(`job ${jobId} not found`);
  }
}

/** The operation does not apply to the job's current state (e.g. redriving a queued job). */
export class InvalidStateError extends QueueError {
  override readonly code = "INVALID_STATE";
  override name = "InvalidStateError";
}

/** The caller no longer holds the job: its lease expired and it was reclaimed, or it was cancelled. */
export class LeaseLostError extends QueueError {
  override readonly code = "LEASE_LOST";
  override name = "LeaseLostError";
  constructor(readonly jobId: string) {
    super(`lease on job ${jobId} was lost`);
  }
}

/**
 * The store could not be reached, gave no reply, or answered that it is busy; safe to retry
 * later. `cause` holds the client's own error where it carries no request data.
 */
export class BackendUnavailableError extends QueueError {
  override readonly code = "BACKEND_UNAVAILABLE";
  override name = "BackendUnavailableError";
}

/**
 * The store answered with an error that retrying will not fix (a script or SQL error, a
 * conflicting id). The message names the backend and the store's error class, never the
 * request, so it is safe to log.
 */
export class BackendError extends QueueError {
  override readonly code = "BACKEND_ERROR";
  override name = "BackendError";
}

/** A worker claimed a job whose type has no registered handler. Recorded as the job's error. */
export class NoHandlerError extends QueueError {
  override readonly code = "NO_HANDLER";
  override name = "NoHandlerError";
  constructor(readonly jobType: string) {
    super(`no handler registered for job type "${jobType}"`);
  }
}

/** A handler ran past its `timeoutMs`. Recorded as the attempt's error. */
export class JobTimeoutError extends QueueError {
  override readonly code = "TIMEOUT";
  override name = "JobTimeoutError";
}

/** The queue (or worker) was closed and takes no more work. */
export class QueueClosedError extends QueueError {
  override readonly code = "QUEUE_CLOSED";
  override name = "QueueClosedError";
}

/** A queue given `jobs` was asked to enqueue a type it does not define. Nothing was stored. */
export class UnknownJobTypeError extends QueueError {
  override readonly code = "UNKNOWN_JOB_TYPE";
  override name = "UnknownJobTypeError";
  readonly field = "type";
  constructor() {
    super("unknown job type");
  }
}

/** One problem a payload's schema found: where (a dotted path) and what. */
export interface PayloadIssue {
  path: string;
  message: string;
}

/**
 * A payload does not match its type's schema: refused at enqueue (nothing stored), or found
 * when a worker was about to run it (the job fails for good, without retries).
 */
export class InvalidPayloadError extends QueueError {
  override readonly code = "INVALID_PAYLOAD";
  override name = "InvalidPayloadError";
  readonly field = "payload";
  constructor(readonly issues: PayloadIssue[]) {
    super("payload does not match its type's schema");
  }
}

/**
 * The queue's backend does not implement a feature this call needs (`schedules`, `limits`):
 * refused before anything reaches the store. `feature` names the missing group.
 */
export class UnsupportedError extends QueueError {
  override readonly code = "UNSUPPORTED";
  override name = "UnsupportedError";
  constructor(
    readonly feature: string,
    backend: string,
    /** Said instead of "the backend does not support …" when the queue lacks it, not the store. */
    message?: string,
  ) {
    super(message ?? `the ${backend} backend does not support ${feature}`);
  }
}

/**
 * A package this call needs is not installed: an optional peer dependency such as `libsql`
 * (files on Node), `@libsql/client` (libSQL over HTTP, or anywhere but Node) or `ioredis`.
 * A configuration error, not a store's: retrying fails the same way until `peer` is installed.
 *
 * @example
 * // MissingPeerError: libsql(file) needs the package "libsql": npm i libsql
 */
export class MissingPeerError extends QueueError {
  override readonly code = "MISSING_PEER";
  override name = "MissingPeerError";
  constructor(
    /** The package to install, e.g. `libsql`. */
    readonly peer: string,
    /** Who needs it, e.g. the backend's name. */
    by: string,
  ) {
    super(`${by} needs the package "${peer}": npm i ${peer}`);
  }
}
