// An encoder for metric-batch.v1, framed, byte for byte what avsc writes for the same batch and about four
// times as fast (avsc calls through a type object per value). It takes batches whose strings are all ASCII
// and whose longs are integers within +-2^51; for anything else (other text, which avsc encodes in its own
// way, a value of the wrong type, a long near 2^53) it returns undefined and the codec lets avsc encode or
// refuse it. No IO; it reuses one growing buffer, so the result is a copy.
import { HEADER_BYTES, writeFrameHeader } from './codec.ts';
import type { MetricBatch, WireSeries } from './metric-batch.ts';

const LONG_LIMIT = 2 ** 51;
const kindIndex: Readonly<Record<string, number>> = { UNKNOWN: 0, GAUGE: 1, COUNTER: 2 };

let out = Buffer.allocUnsafe(64 * 1024);
let view = new DataView(out.buffer, out.byteOffset, out.length);
let at = 0;

function ensure(bytes: number): void {
  if (at + bytes <= out.length) return;
  const next = Buffer.allocUnsafe(Math.max(out.length * 2, at + bytes));
  out.copy(next, 0, 0, at);
  out = next;
  view = new DataView(next.buffer, next.byteOffset, next.length);
}

/** A zigzag varint, as avsc writes it; false for a non-integer or one past +-2^51. */
function long(n: unknown): boolean {
  if (typeof n !== 'number' || !Number.isInteger(n) || n > LONG_LIMIT || n < -LONG_LIMIT) return false;
  ensure(10);
  const b = out;
  const z = n >= 0 ? n * 2 : -n * 2 - 1;
  if (z < 2 ** 31) {
    let v = z;
    while (v >= 0x80) {
      b[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[at++] = v;
    return true;
  }
  // below 2^53: the low 28 bits as four full groups, then the rest, all in int arithmetic
  let hi = Math.floor(z / 2 ** 28);
  const lo = z - hi * 2 ** 28;
  b[at++] = (lo & 0x7f) | 0x80;
  b[at++] = ((lo >>> 7) & 0x7f) | 0x80;
  b[at++] = ((lo >>> 14) & 0x7f) | 0x80;
  b[at++] = ((lo >>> 21) & 0x7f) | 0x80;
  while (hi >= 0x80) {
    b[at++] = (hi & 0x7f) | 0x80;
    hi >>>= 7;
  }
  b[at++] = hi;
  return true;
}

/** Length and bytes of an ASCII string; false for other text or a non-string. */
function ascii(s: unknown): boolean {
  if (typeof s !== 'string') return false;
  const n = s.length;
  long(n);
  ensure(n);
  const b = out;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return false;
    b[at + i] = c;
  }
  at += n;
  return true;
}

/**
 * An Avro array or map of `n` items as avsc frames it: one block (its count, then the items `items`
 * writes) unless empty, then the 0 that ends it. False when `items` finds an item it cannot write.
 */
function block(n: number, items: () => boolean): boolean {
  if (n > 0 && !(long(n) && items())) return false;
  return long(0);
}

function labels(map: unknown): boolean {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return false;
  const record = map as Record<string, unknown>;
  const keys = Object.keys(record);
  return block(keys.length, () => {
    for (const k of keys) if (!ascii(k) || !ascii(record[k])) return false;
    return true;
  });
}

function longs(xs: unknown): boolean {
  if (!Array.isArray(xs)) return false;
  return block(xs.length, () => {
    for (let i = 0; i < xs.length; i++) if (!long(xs[i])) return false;
    return true;
  });
}

function doubles(xs: unknown): boolean {
  if (!Array.isArray(xs)) return false;
  return block(xs.length, () => {
    ensure(8 * xs.length);
    for (let i = 0; i < xs.length; i++) {
      const x: unknown = xs[i];
      if (typeof x !== 'number') return false;
      view.setFloat64(at, x, true);
      at += 8;
    }
    return true;
  });
}

function series(s: WireSeries): boolean {
  if (typeof s !== 'object' || s === null) return false;
  const kind = kindIndex[s.kind];
  return ascii(s.metric) && labels(s.labels) && kind !== undefined && long(kind) && longs(s.timestamps) && doubles(s.values);
}

/** The framed bytes (magic byte, big-endian `schemaId`, body), or undefined when avsc should encode it. */
export function writeMetricBatchV1(batch: MetricBatch, schemaId: number): Buffer | undefined {
  at = 0;
  ensure(HEADER_BYTES);
  writeFrameHeader(out, schemaId);
  at = HEADER_BYTES;
  const list: unknown = batch.series;
  if (!ascii(batch.tenant) || !ascii(batch.source) || !long(batch.sent_at) || !Array.isArray(list)) return undefined;
  const written = block(list.length, () => {
    for (const s of list as WireSeries[]) if (!series(s)) return false;
    return true;
  });
  return written ? Buffer.from(out.subarray(0, at)) : undefined;
}
