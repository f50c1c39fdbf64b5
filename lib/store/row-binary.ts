// Encodes rows as ClickHouse RowBinary for a table's column types, storing exactly what the same values
// sent as JSONCompactEachRow would store. A value whose JSON reading this does not reproduce exactly (a
// fraction for an integer or time column, NaN, a lone surrogate, ...) makes `encode` answer undefined, and
// the caller sends that batch as JSON instead, so ClickHouse's own rules and errors still apply to it.
// Pure: no IO. The embedded store uses it because parsing text is most of an insert's cost (BENCHMARKS.md).
import { runLength, type RowRun } from './types.ts';

/** Writes one value at the writer's end; false when it cannot store the value exactly as JSON would. */
type ValueWriter = (w: Writer, value: unknown) => boolean;

const TWO_32 = 2 ** 32;

/**
 * A growable byte buffer. Small writes store bytes one by one and numbers go through a DataView: both
 * cheaper than Buffer's methods at this size.
 */
class Writer {
  buf: Buffer;
  view: DataView;
  at = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(Math.max(size, 64));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  ensure(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + bytes));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.length);
  }

  varint(n: number): void {
    this.ensure(10);
    while (n >= 0x80) {
      this.buf[this.at++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.at++] = n;
  }

  bytes(src: Uint8Array): void {
    const n = src.length;
    this.ensure(n);
    if (n > 64) {
      this.buf.set(src, this.at);
    } else {
      const b = this.buf;
      const at = this.at;
      for (let i = 0; i < n; i++) b[at + i] = src[i]!;
    }
    this.at += n;
  }

  /**
   * A String: its UTF-8 length as a varint, then the bytes. Short ASCII text (most labels) is copied char by
   * char; the rest goes through Buffer's UTF-8 writer. False for a lone surrogate, which JSON would send
   * escaped and ClickHouse refuse.
   */
  string(v: string): boolean {
    const n = v.length;
    if (n < 128) {
      this.ensure(n + 1);
      const b = this.buf;
      const at = this.at;
      let i = 0;
      for (; i < n; i++) {
        const c = v.charCodeAt(i);
        if (c >= 0x80) break;
        b[at + 1 + i] = c;
      }
      if (i === n) {
        b[at] = n;
        this.at = at + 1 + n;
        return true;
      }
    }
    if (!wellFormed(v)) return false;
    const bytes = Buffer.byteLength(v, 'utf8');
    this.varint(bytes);
    this.ensure(bytes);
    this.at += this.buf.write(v, this.at, bytes, 'utf8');
    return true;
  }

  /** `n` bytes of `v`, a non-negative integer below 2^32, little-endian. */
  uint(v: number, n: number): void {
    this.ensure(n);
    const b = this.buf;
    const at = this.at;
    for (let i = 0; i < n; i++) b[at + i] = v >>> (8 * i); // a Uint8Array keeps the low byte
    this.at += n;
  }

  /** A non-negative integer below 2^64 given as its two 32-bit halves. */
  u64(lo: number, hi: number): void {
    this.ensure(8);
    this.view.setUint32(this.at, lo, true);
    this.view.setUint32(this.at + 4, hi, true);
    this.at += 8;
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.at, v, true);
    this.at += 8;
  }
}

/** String.prototype.isWellFormed (Node 20; the ES2023 lib this project types against predates it). */
const wellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

const isInteger = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** A safe integer as two's-complement 64 bits. */
function int64(w: Writer, v: number): void {
  const hi = Math.floor(v / TWO_32);
  w.u64(v - hi * TWO_32, hi >>> 0);
}

/** Int64, and DateTime64(3) from epoch milliseconds (JSON numbers are read as ticks). Negative ones stay JSON. */
const nonNegativeInt64: ValueWriter = (w, v) => {
  if (!isInteger(v, 0, Number.MAX_SAFE_INTEGER)) return false;
  int64(w, v);
  return true;
};

const string: ValueWriter = (w, v) => typeof v === 'string' && w.string(v);

/**
 * A UInt64 given as a decimal string of 1 to 20 digits (series ids): read digit by digit into two 32-bit
 * halves, no BigInt. False for anything else or above 2^64 - 1.
 */
const uint64: ValueWriter = (w, v) => {
  if (typeof v === 'number') return nonNegativeInt64(w, v);
  if (typeof v !== 'string' || v.length === 0 || v.length > 20) return false;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < v.length; i++) {
    const d = v.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    lo = lo * 10 + d; // below 2^36: exact
    const carry = Math.floor(lo / TWO_32);
    lo -= carry * TWO_32;
    hi = hi * 10 + carry;
    if (hi >= TWO_32) return false;
  }
  w.u64(lo, hi);
  return true;
};

const float64: ValueWriter = (w, v) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) return false; // JSON sends NaN and Infinity as null
  w.f64(v === 0 ? 0 : v); // and -0 as 0
  return true;
};

function unsigned(bytes: 1 | 2 | 4): ValueWriter {
  const max = 2 ** (8 * bytes) - 1;
  return (w, v) => {
    if (!isInteger(v, 0, max)) return false;
    w.uint(v, bytes);
    return true;
  };
}

/** DateTime: epoch seconds. */
const dateTime: ValueWriter = (w, v) => {
  if (!isInteger(v, 0, TWO_32 - 1)) return false;
  w.uint(v, 4);
  return true;
};

function nullable(inner: ValueWriter): ValueWriter {
  return (w, v) => {
    w.ensure(1);
    if (v === null || v === undefined) {
      w.buf[w.at++] = 1;
      return true;
    }
    w.buf[w.at++] = 0;
    return inner(w, v);
  };
}

const stringMap: ValueWriter = (w, v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const map = v as Record<string, unknown>;
  const keys = Object.keys(map);
  w.varint(keys.length);
  for (const k of keys) {
    const x = map[k];
    if (!w.string(k) || typeof x !== 'string' || !w.string(x)) return false;
  }
  return true;
};

/** The arguments of `Name(args)`, split at top-level commas. */
function typeArgs(type: string, name: string): string[] | undefined {
  if (!type.startsWith(`${name}(`) || !type.endsWith(')')) return undefined;
  const inner = type.slice(name.length + 1, -1);
  const args: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      args.push(inner.slice(from, i).trim());
      from = i + 1;
    }
  }
  args.push(inner.slice(from).trim());
  return args;
}

/** The writer for a ClickHouse type, or undefined when this module does not encode it. */
export function valueWriter(type: string): ValueWriter | undefined {
  const wrapped = typeArgs(type, 'LowCardinality') ?? typeArgs(type, 'Nullable') ?? typeArgs(type, 'SimpleAggregateFunction');
  if (wrapped !== undefined) {
    const inner = valueWriter(wrapped[wrapped.length - 1]!); // SimpleAggregateFunction(f, T) is stored as T
    if (inner === undefined) return undefined;
    return type.startsWith('Nullable(') ? nullable(inner) : inner;
  }
  const map = typeArgs(type, 'Map');
  if (map !== undefined) return map[0] === 'String' && map[1] === 'String' ? stringMap : undefined;
  const dt64 = typeArgs(type, 'DateTime64');
  if (dt64 !== undefined) return dt64[0] === '3' ? nonNegativeInt64 : undefined;
  if (type === 'DateTime' || typeArgs(type, 'DateTime') !== undefined) return dateTime;
  switch (type) {
    case 'String':
      return string;
    case 'UInt8':
      return unsigned(1);
    case 'UInt16':
      return unsigned(2);
    case 'UInt32':
      return unsigned(4);
    case 'UInt64':
      return uint64;
    case 'Int64':
      return nonNegativeInt64;
    case 'Float64':
      return float64;
    default:
      return undefined;
  }
}

/** Rows (and runs of rows, after them) in, RowBinary out; undefined when some value must go as JSON. */
export type RowBinaryEncoder = (rows: readonly (readonly unknown[])[], runs?: readonly RowRun[]) => Buffer | undefined;

/** An encoder for rows of the given column types, or undefined when a type is not one this module encodes. */
export function rowBinaryEncoder(types: readonly string[]): RowBinaryEncoder | undefined {
  const writers: ValueWriter[] = [];
  for (const type of types) {
    const writer = valueWriter(type);
    if (writer === undefined) return undefined;
    writers.push(writer);
  }
  const width = writers.length;
  const head = new Writer(64);
  return (rows, runs = []) => {
    const w = new Writer((rows.length + runs.length * 16) * width * 12);
    for (const row of rows) {
      if (row.length !== width) return undefined;
      for (let c = 0; c < width; c++) if (!writers[c]!(w, row[c])) return undefined;
    }
    for (const run of runs) {
      // the leading values are encoded once per run and copied into each of its rows
      const h = run.head.length;
      const n = runLength(run);
      if (h + run.tail.length !== width || n === undefined) return undefined;
      head.at = 0;
      for (let c = 0; c < h; c++) if (!writers[c]!(head, run.head[c])) return undefined;
      const lead = head.buf.subarray(0, head.at);
      if (width - h === 2) {
        // the common shape (a time and a value per row): the two writers and columns held in locals
        const first = writers[h]!;
        const second = writers[h + 1]!;
        const xs = run.tail[0]!;
        const ys = run.tail[1]!;
        w.ensure(n * (lead.length + 16)); // enough when both columns are 8 bytes wide; strings ask for more
        for (let i = 0; i < n; i++) {
          w.bytes(lead);
          if (!first(w, xs[i]) || !second(w, ys[i])) return undefined;
        }
        continue;
      }
      for (let i = 0; i < n; i++) {
        w.bytes(lead);
        for (let c = h; c < width; c++) if (!writers[c]!(w, run.tail[c - h]![i])) return undefined;
      }
    }
    return w.buf.subarray(0, w.at);
  };
}
