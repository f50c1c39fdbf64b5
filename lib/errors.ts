// The one error type of prognos: a documented code, a `retriable` flag the retry logic reads, and a cause.
// The catalogue below is the complete list of codes; the API maps them to HTTP statuses in one place.

/** Every code prognos raises, with whether retrying the same operation can succeed. */
export const errorCatalogue = {
  CONFIG_INVALID: { retriable: false, doc: 'Configuration failed validation at boot; fatal.' },
  DECODE_FAILED: { retriable: false, doc: 'A bus record could not be decoded (framing, unknown schema id, corrupt Avro); dead-lettered.' },
  INVALID_SAMPLE: { retriable: false, doc: 'A decoded sample broke a validation rule (NaN, Inf, timestamp skew, oversized labels); dead-lettered.' },
  STORE_UNAVAILABLE: { retriable: true, doc: 'The store could not be reached or timed out; retried with capped, jittered back-off.' },
  STORE_REJECTED: { retriable: false, doc: 'The store refused a statement (schema or type error); the consumer stops with offsets uncommitted.' },
  BUS_UNAVAILABLE: { retriable: true, doc: 'The bus could not be reached; retried.' },
  PARTITION_LOST: { retriable: false, doc: 'The consumer lost its group membership (session ended) mid-batch: the batch is abandoned unwritten, its partitions\' state dropped and restored from the store when they are assigned again.' },
  BUS_CORRUPT: { retriable: false, doc: 'The embedded log holds bytes that cannot be framed beyond a torn tail.' },
  DATA_DIR_LOCKED: { retriable: false, doc: 'Another running process holds the embedded store directory (PROGNOS_DATA_DIR); fatal at boot.' },
  MIGRATION_FAILED: { retriable: false, doc: 'A schema migration failed; fatal at boot.' },
  BAD_REQUEST: { retriable: false, doc: 'An API request failed validation.' },
  UNAUTHORIZED: { retriable: false, doc: 'No or unknown API credential.' },
  FORBIDDEN: { retriable: false, doc: 'The credential lacks the role for this route.' },
  NOT_FOUND: { retriable: false, doc: 'The resource does not exist for this tenant.' },
  RATE_LIMITED: { retriable: true, doc: 'Too many requests for this credential; retry after the given delay.' },
  SHUTTING_DOWN: { retriable: true, doc: 'The component is draining; retry elsewhere or later.' },
  INTERNAL: { retriable: false, doc: 'A bug: an invariant did not hold.' },
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

/** A coded prognos error. `retriable` comes from the catalogue unless overridden. */
export class PrognosError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  /** Safe, structured context for logs and API bodies (never secrets). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retriable?: boolean; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PrognosError';
    this.code = code;
    this.retriable = options.retriable ?? errorCatalogue[code].retriable;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }
}

/** True when retrying can help: a retriable PrognosError; never TypeError/RangeError (bugs). */
export function isRetriable(err: unknown): boolean {
  if (err instanceof PrognosError) return err.retriable;
  return false;
}

/** The message of anything thrown, for logs and dead-letter reasons. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
