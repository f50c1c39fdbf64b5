// What a processor is: a definition with a synchronous, IO-free `handle(state, records)` that the shared
// runner drives. The runner does fetch, insert, checkpoint and commit; processors never touch IO.
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
 * A processor. `handle` must be deterministic: the same state and records give the same rows, because
 * a replay after a crash re-runs it and relies on identical rows under identical insert tokens.
 */
export interface ProcessorDefinition<S> {
  /** Component name: metrics label, log field, part of insert tokens. */
  name: string;
  initState(partition: number): S;
  handle(state: S, records: readonly BusRecord[]): HandleResult;
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
