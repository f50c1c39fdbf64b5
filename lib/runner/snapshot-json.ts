// JSON for processor snapshots: exact numbers, and a partition's series map written in bounded parts.
// NaN, ±Infinity and -0 (which plain JSON turns into null or 0) travel as {"$n": "NaN"}; snapshot state must
// hold no other object of exactly that shape. Each part is `{"v":1,"series":[[id, state], ...]}`, the
// format a whole-state snapshot had before parts existed, so older snapshots read back as one part.
import { endianness } from 'node:os';
import { PrognosError } from '../errors.ts';

/** JSON.stringify replacer for snapshot state. */
export function snapshotReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) return { $n: Object.is(value, -0) ? '-0' : String(value) };
  return value;
}

/** JSON.parse reviver undoing snapshotReplacer. */
export function snapshotReviver(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$n') return Number((value as { $n: string }).$n);
  }
  return value;
}

const littleEndian = endianness() === 'LE';

/** Numbers as little-endian float64, base64: exact (NaN, ±Infinity, -0) and about half the size of JSON. */
export function encodeFloat64(values: ArrayLike<number>): string {
  // a Float64Array on a little-endian machine already is the wire form: no copy
  if (littleEndian && values instanceof Float64Array) return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
  const bytes = Buffer.alloc(values.length * 8);
  for (let i = 0; i < values.length; i++) bytes.writeDoubleLE(values[i]!, i * 8);
  return bytes.toString('base64');
}

/** The numbers encodeFloat64 wrote. */
export function decodeFloat64(text: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  const out = new Float64Array(bytes.length >> 3);
  if (littleEndian) new Uint8Array(out.buffer).set(bytes.subarray(0, out.length * 8));
  else for (let i = 0; i < out.length; i++) out[i] = bytes.readDoubleLE(i * 8);
  return out;
}

const partOf = (items: readonly string[]) => `{"v":1,"series":[${items.join(',')}]}`;

/**
 * The series map as snapshot parts of about `partBytes` characters each (a part closes once it reaches
 * the size, so one large series never splits), in map order; no parts for an empty map. Lazy: each part
 * is serialised when asked for, so the caller can yield between parts (the map must not change meanwhile).
 */
export function* seriesParts<V>(series: ReadonlyMap<string, V>, partBytes: number, encode: (value: V) => unknown = (v) => v): Generator<string> {
  let items: string[] = [];
  let size = 0;
  for (const [id, value] of series) {
    const text = JSON.stringify([id, encode(value)], snapshotReplacer);
    items.push(text);
    size += text.length;
    if (size >= partBytes) {
      yield partOf(items);
      items = [];
      size = 0;
    }
  }
  if (items.length > 0) yield partOf(items);
}

/** The series map from parts written by seriesParts (in order); `what` names the processor in errors. */
export function seriesFromParts<V>(parts: readonly string[], what: string, decode: (raw: never) => V = (v) => v): Map<string, V> {
  const series = new Map<string, V>();
  for (const text of parts) {
    const part = JSON.parse(text, snapshotReviver) as { v?: unknown; series?: unknown };
    if (part.v !== 1 || !Array.isArray(part.series)) {
      throw new PrognosError('INTERNAL', `${what} snapshot has unknown format version ${String(part.v)}`);
    }
    for (const [id, raw] of part.series as [string, never][]) series.set(id, decode(raw));
  }
  return series;
}
