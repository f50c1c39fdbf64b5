// What a processor is: a definition with a synchronous, IO-free `handle(state, records)` that the shared
// runner drives, and optionally a `prepare` step that names stored rows the batch needs. The runner does
// fetch, look-up, insert, checkpoint and commit; processors never touch IO.
import type { BusRecord } from '../bus/types.ts';
import type { TableRows } from '../store/types.ts';

/** A record or sample refused on the way in, with a machine reason and a human detail. */
export interface DeadLetter {
  tenant: string;
  receivedAtMs: number;
  topic: string;
  partition: number;
  offset: number;
  reason: string;
  detail: string;
  /** base64 bytes for undecodable records, JSON for invalid samples. */
  payload: string;
}

/** A record to publish on the bus (e.g. alert events), produced after the batch's rows are durable. */
export interface BusMessage {
  topic: string;
  key: string;
  value: Buffer;
}

/** A dead letter for `record`, with the reason, a human detail and the payload as text. */
export function deadLetterFor(record: BusRecord, tenant: string, reason: string, detail: string, payload: string): DeadLetter {
  return { tenant, receivedAtMs: record.timestampMs, topic: record.topic, partition: record.partition, offset: record.offset, reason, detail, payload };
}

export interface HandleResult {
  outputs: TableRows[];
  /**
   * Records for downstream consumers. Produced at least once: a replayed batch produces them again, so
   * their consumers deduplicate by a key inside the message (alerts carry a dedup key).
   */
  messages?: BusMessage[];
  deadLetters: DeadLetter[];
  /** Units accepted (samples, for the samples processor), for the sent counter. */
  accepted: number;
  /** Samples left out without a dead letter, by reason (derived processors: late, unmatched...), for the skipped counter. */
  skipped?: Readonly<Record<string, number>>;
}

/**
 * What `prepare` worked out for a batch: a context handed back to handle() untouched (e.g. the decoded
 * records, so they are decoded once), and what to read, if anything, for the runner's look-up.
 */
export interface Prepared {
  context: unknown;
  request?: unknown;
}

/** prepare()'s context with the look-up's answer (undefined when nothing was asked). */
export interface Loaded {
  context: unknown;
  answer: unknown;
}

/** Reads what a processor's prepare() asked for: an adapter over the store, or a fake in tests. */
export type Lookup = (request: unknown) => Promise<unknown>;

/**
 * A processor. `handle` must be deterministic: the same state and records give the same rows, because
 * a replay after a crash re-runs it and relies on identical rows under identical insert tokens.
 */
export interface ProcessorDefinition<S> {
  /** Component name: metrics label, log field, part of insert tokens. */
  name: string;
  initState(partition: number): S;
  /**
   * Optional first step of every batch (replays and state rebuilds too): says which stored rows handle()
   * will need. It must not change the state, and may only ask for rows that batches before this one wrote:
   * the runner stores a batch's outputs before it prepares the next, so the answer is the same in a replay.
   */
  prepare?(state: S, records: readonly BusRecord[]): Prepared;
  /**
   * Output tables that a state rebuild (records below the stored checkpoint) writes again. Only for
   * idempotent tables (a re-written row replaces an identical one) that prepare() reads back: the records
   * rebuilt may have been handled by an older version that did not write them (a snapshot from before the
   * table existed), and a later batch must still find them.
   */
  rebuildWrites?: readonly string[];
  /** `loaded` is present when the definition has prepare(). */
  handle(state: S, records: readonly BusRecord[], loaded?: Loaded): HandleResult;
  /**
   * Set when handle() composes over record boundaries (without prepare()): handling records A then B, the
   * results joined, is the same as handling A and B at once. The runner then hands a batch over in slices
   * of at most this many records and lets the event loop run between them, so a large batch does not hold
   * up the store's inserts and the other processors (a 4 MiB anomaly batch took 200-400 ms in one go).
   */
  sliceRecords?: number;
  /** Present for stateful processors: state snapshots are written periodically and on revoke. */
  snapshot?: {
    /**
     * The state as parts of about `partBytes` characters each, produced lazily: the runner stores each part
     * (yielding to the event loop) before asking for the next, and leaves the state alone until the end.
     */
    serialize(state: S, partBytes: number): Iterable<string>;
    /** The state from the parts `serialize` produced, in order (no parts: the empty state). */
    deserialize(parts: readonly string[]): S;
  };
}
