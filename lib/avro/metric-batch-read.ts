// A decoder for metric-batch.v1 bodies written with v1 itself (the common case), about twice as fast as
// avsc's generic reader, which calls through a type object per value and boxes every long and double it
// returns. It returns what avsc returns for the same bytes; it throws CorruptBody for bytes that cannot be
// a v1 body (truncated, trailing bytes, a bad enum index, a negative length, a count larger than the bytes
// left could hold, which avsc would first try to allocate and read, for minutes with a large one); and it
// returns undefined for a data long (sent_at, a timestamp) outside +-2^51, where avsc's own precision rule
// decides. No IO; its only state is a bounded cache of short strings.
import type { MetricBatch, MetricKind, WireSeries } from './metric-batch.ts';

const kinds: readonly MetricKind[] = ['UNKNOWN', 'GAUGE', 'COUNTER'];
// Larger zigzag values go to avsc, which knows where its precision check draws the line.
const LONG_LIMIT = 2 ** 52;

/** Bytes that are not a metric-batch.v1 body; the message says where they break. */
export class CorruptBody extends Error {}

/** Thrown inside the reader only (a long avsc should judge); never escapes it. */
const unsure = new Error('not for the fast path');

const empty = Buffer.alloc(0);
const emptyView = new DataView(empty.buffer);
let buf: Buffer = empty;
let view: DataView = emptyView;
let pos = 0;

function long(): number {
  // the first 28 bits, then the rest, in int arithmetic
  const b8 = buf;
  let p = pos;
  let b = b8[p++]!; // past the end: undefined, which reads as 0 and ends the varint; callers check bounds
  let n = b & 0x7f;
  if (b >= 0x80) {
    b = b8[p++]!;
    n |= (b & 0x7f) << 7;
    if (b >= 0x80) {
      b = b8[p++]!;
      n |= (b & 0x7f) << 14;
      if (b >= 0x80) {
        b = b8[p++]!;
        n |= (b & 0x7f) << 21;
        if (b >= 0x80) {
          // the high bits in int arithmetic too: 24 more bits at most (2^52 is the limit)
          let hi = 0;
          let shift = 0;
          do {
            b = b8[p++]!;
            hi |= (b & 0x7f) << shift;
            shift += 7;
          } while (b >= 0x80 && shift < 28);
          if (b >= 0x80 || hi > LONG_LIMIT / 2 ** 28) throw unsure;
          n += hi * 2 ** 28;
        }
      }
    }
  }
  pos = p;
  return n % 2 === 1 ? -(n + 1) / 2 : n / 2;
}

// Short ASCII strings repeat from record to record (metric names, label keys and values): one string each.
const INTERN_BYTES = 64;
const INTERN_MAX = 8192;
const interned = new Map<number, string>();

function sameAscii(s: string, b8: Buffer, from: number): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== b8[from + i]) return false;
  return true;
}

/** The `n` bytes at pos as UTF-8 text. */
function text(n: number): string {
  const b8 = buf;
  const from = pos;
  const to = from + n;
  pos = to;
  if (n <= INTERN_BYTES) {
    let h = n;
    let i = from;
    for (; i < to; i++) {
      const c = b8[i]!;
      if (c >= 0x80) break;
      h = Math.imul(h ^ c, 16777619);
    }
    if (i === to) {
      const seen = interned.get(h);
      if (seen !== undefined && seen.length === n && sameAscii(seen, b8, from)) return seen;
      const s = b8.toString('latin1', from, to); // ASCII: the same text as UTF-8
      if (interned.size >= INTERN_MAX) interned.clear();
      interned.set(h, s);
      return s;
    }
  }
  return b8.toString('utf8', from, to);
}

/** A count or a length: one past 2^51 is corrupt, whatever avsc would make of it. */
function size(): number {
  try {
    return long();
  } catch (err) {
    if (err === unsure) throw new CorruptBody('count or length past 2^51');
    throw err;
  }
}

function string(): string {
  const n = size();
  if (n < 0) throw new CorruptBody(`negative string length ${n}`);
  if (pos + n > buf.length) throw new CorruptBody('truncated buffer');
  return text(n);
}

/** A block count (a negative one is followed by the block's size in bytes, skipped) no larger than `most`. */
function blockCount(most: number): number {
  let n = size();
  if (n < 0) {
    n = -n;
    size();
  }
  if (n > most) throw new CorruptBody(`block count ${n} larger than the bytes left could hold`);
  return n;
}

function labels(): Record<string, string> {
  const out: Record<string, string> = {};
  for (let n = blockCount(buf.length - pos); n > 0; n = blockCount(buf.length - pos)) {
    for (let i = 0; i < n; i++) {
      const key = string();
      out[key] = string();
    }
  }
  return out;
}

function longs(): number[] {
  let out: number[] | undefined;
  let i = 0;
  for (let n = blockCount(buf.length - pos); n > 0; n = blockCount(buf.length - pos)) {
    if (out === undefined) {
      out = new Array<number>(n);
      out[0] = 0.5; // a double array from the start (timestamps are past 2^31), not converted on first write
    }
    for (let k = 0; k < n; k++) out[i++] = long();
  }
  return out ?? [];
}

function doubles(): number[] {
  let out: number[] | undefined;
  let i = 0;
  for (let n = blockCount((buf.length - pos) / 8); n > 0; n = blockCount((buf.length - pos) / 8)) {
    if (out === undefined) {
      out = new Array<number>(n);
      out[0] = 0.5; // a double array from the start
    }
    for (let k = 0; k < n; k++) {
      out[i++] = view.getFloat64(pos, true);
      pos += 8;
    }
  }
  return out ?? [];
}

function series(): WireSeries {
  const metric = string();
  const labelSet = labels();
  const index = long();
  const kind = kinds[index];
  if (kind === undefined) throw new CorruptBody(`invalid MetricKind enum index: ${index}`);
  const timestamps = longs();
  return { metric, labels: labelSet, kind, timestamps, values: doubles() };
}

/** The batch in `bytes` from `offset` to the end, or undefined when avsc should decide; throws CorruptBody. */
export function readMetricBatchV1(bytes: Buffer, offset: number): MetricBatch | undefined {
  buf = bytes;
  view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  pos = offset;
  try {
    const tenant = string();
    const source = string();
    const sentAt = long();
    const list: WireSeries[] = [];
    for (let n = blockCount(buf.length - pos); n > 0; n = blockCount(buf.length - pos)) {
      for (let i = 0; i < n; i++) list.push(series());
    }
    if (pos > buf.length) throw new CorruptBody('truncated buffer');
    if (pos < buf.length) throw new CorruptBody('trailing data');
    return { tenant, source, sent_at: sentAt, series: list };
  } catch (err) {
    if (err === unsure) return undefined;
    if (err instanceof RangeError) throw new CorruptBody('truncated buffer'); // a double past the end
    throw err;
  } finally {
    buf = empty; // the record is not kept alive by this module
    view = emptyView;
  }
}
