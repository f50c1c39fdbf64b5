// RowBinary encoding: the bytes of each supported type, and every value the JSON reading would store
// differently is refused (the batch then goes as JSON), as is every type this module does not encode.
import { describe, expect, it } from 'vitest';
import { rowBinaryEncoder, valueWriter } from './row-binary.ts';
import { allRows } from './types.ts';

const hex = (types: string[], rows: unknown[][]): string | undefined => rowBinaryEncoder(types)!(rows)?.toString('hex');

describe('rowBinaryEncoder', () => {
  it('writes strings as a varint length and UTF-8 bytes, through LowCardinality and SimpleAggregateFunction', () => {
    expect(hex(['String'], [['ab'], ['✓']])).toBe('026162' + '03e29c93');
    expect(hex(['LowCardinality(String)', 'SimpleAggregateFunction(anyLast, String)'], [['a', 'b']])).toBe('0161' + '0162');
    const long = 'x'.repeat(300);
    expect(hex(['String'], [[long]])).toBe('ac02' + '78'.repeat(300)); // 300 = 0b10_0101100
  });

  it('writes ASCII and non-ASCII text alike at the one-byte length boundary and after an ASCII prefix', () => {
    expect(hex(['String'], [['y'.repeat(127)], ['y'.repeat(128)]])).toBe('7f' + '79'.repeat(127) + '8001' + '79'.repeat(128));
    expect(hex(['String'], [['ab✓c'], ['é'.repeat(70)]])).toBe('066162e29c9363' + '8c01' + 'c3a9'.repeat(70));
    expect(hex(['String', 'String'], [['x'.repeat(126) + 'é', 'z']])).toBe('8001' + '78'.repeat(126) + 'c3a9' + '017a'); // 128 bytes
    expect(hex(['Map(String, String)'], [[{ k: 'a\udc00' }]])).toBeUndefined();
  });

  it('writes UInt64 from decimal strings (to 2^64 - 1) and safe integers, little-endian', () => {
    expect(hex(['UInt64'], [['18446744073709551615'], ['1'], [258], ['4294967296']])).toBe(
      'ffffffffffffffff' + '0100000000000000' + '0201000000000000' + '0000000001000000',
    );
    expect(hex(['UInt64'], [['18446744073709551616']])).toBeUndefined();
    expect(hex(['UInt64'], [['-1']])).toBeUndefined();
    expect(hex(['UInt64'], [['1e3']])).toBeUndefined();
    expect(hex(['UInt64'], [[2 ** 53]])).toBeUndefined(); // JSON would print it exactly; not worth a path of its own
    expect(hex(['UInt64'], [[1.5]])).toBeUndefined();
  });

  it('writes DateTime64(3) as epoch-millisecond ticks and DateTime as epoch seconds', () => {
    expect(hex(["DateTime64(3, 'UTC')"], [[1_800_000_000_123]])).toBe(Buffer.from(new BigInt64Array([1_800_000_000_123n]).buffer).toString('hex'));
    expect(hex(["DateTime('UTC')", 'DateTime'], [[1_700_000_000, 1]])).toBe('00f15365' + '01000000');
    expect(hex(["DateTime64(3, 'UTC')"], [[1.5]])).toBeUndefined();
    expect(hex(["DateTime64(3, 'UTC')"], [[-1]])).toBeUndefined();
    expect(hex(["DateTime64(3, 'UTC')"], [['2023-01-01 00:00:00']])).toBeUndefined();
    expect(hex(['DateTime'], [[2 ** 32]])).toBeUndefined();
    expect(valueWriter("DateTime64(6, 'UTC')")).toBeUndefined();
  });

  it('writes finite Float64 values exactly, -0 as 0 (as JSON prints it), and refuses NaN and infinities', () => {
    const values = [0.1 + 0.2, -1234.5678e-9, 5e-324, 1.7976931348623157e308];
    expect(rowBinaryEncoder(['Float64'])!(values.map((v) => [v]))).toEqual(Buffer.from(new Float64Array(values).buffer));
    expect(hex(['Float64'], [[-0]])).toBe('0000000000000000');
    for (const bad of [NaN, Infinity, -Infinity, '1']) expect(hex(['Float64'], [[bad]])).toBeUndefined();
  });

  it('writes small unsigned integers and non-negative Int64 in range only', () => {
    expect(hex(['UInt8', 'UInt16', 'UInt32', 'Int64'], [[255, 65_535, 4_294_967_295, 7]])).toBe('ff' + 'ffff' + 'ffffffff' + '0700000000000000');
    for (const [type, bad] of [['UInt8', 256], ['UInt8', true], ['UInt32', -1], ['UInt32', 0.5], ['Int64', -5]] as const) {
      expect(hex([type], [[bad]])).toBeUndefined();
    }
  });

  it('writes Nullable with its null byte, null and undefined alike', () => {
    expect(hex(["Nullable(DateTime64(3, 'UTC'))"], [[null], [undefined], [1]])).toBe('01' + '01' + '00' + '0100000000000000');
  });

  it('writes Map(String, String) as a count and key/value pairs in the object order', () => {
    expect(hex(['Map(String, String)'], [[{ b: 'x', a: '' }], [{}]])).toBe('02' + '0162' + '0178' + '0161' + '00' + '00');
    expect(hex(['Map(String, String)'], [[{ a: 1 }]])).toBeUndefined();
    expect(hex(['Map(String, String)'], [[['a', 'b']]])).toBeUndefined();
    expect(valueWriter('Map(String, UInt64)')).toBeUndefined();
  });

  it('refuses strings with a lone surrogate, and rows of the wrong width', () => {
    expect(hex(['String'], [['a\ud800']])).toBeUndefined();
    expect(hex(['String', 'String'], [['a']])).toBeUndefined();
    expect(hex(['String'], [['a', 'b']])).toBeUndefined();
  });

  it('writes a repeated value again correctly after a different one', () => {
    const encode = rowBinaryEncoder(['String', 'UInt64'])!;
    const once = encode([['t', '5'], ['t', '5'], ['u', '6'], ['t', '5']])!.toString('hex');
    expect(once).toBe(['0174', '0500000000000000', '0174', '0500000000000000', '0175', '0600000000000000', '0174', '0500000000000000'].join(''));
    expect(encode([['t', '5']])!.toString('hex')).toBe('0174' + '0500000000000000');
  });

  it('grows its buffer for large batches', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ['x'.repeat(i % 50), i]);
    const out = rowBinaryEncoder(['String', 'UInt32'])!(rows)!;
    expect(out.length).toBe(rows.reduce((n, [s]) => n + 1 + (s as string).length + 4, 0));
    expect(out.readUInt32LE(out.length - 4)).toBe(4999);
  });

  it('encodes runs as the rows they stand for, after the plain rows, and refuses runs of the wrong shape', () => {
    const types = ['LowCardinality(String)', 'UInt64', "DateTime64(3, 'UTC')", 'Float64'];
    const encode = rowBinaryEncoder(types)!;
    const runs = [
      { head: ['acme', '7'], tail: [[1_000, 2_000], [0.5, -0]] },
      { head: ['acme', '8'], tail: [[], []] },
      { head: ['acme'], tail: [['9'], [3_000], [1]] }, // any split of the columns
    ];
    const plain = [['b', '1', 5, 2]];
    const expanded = allRows({ table: 't', columns: ['tenant', 'id', 'ts', 'value'], rows: plain, runs });
    expect(expanded).toEqual([['b', '1', 5, 2], ['acme', '7', 1_000, 0.5], ['acme', '7', 2_000, -0], ['acme', '9', 3_000, 1]]);
    expect(encode(plain, runs)!.toString('hex')).toBe(encode(expanded)!.toString('hex'));
    expect(encode([], [{ head: ['a', '1'], tail: [[1, 2], [0.5]] }])).toBeUndefined(); // tail columns of different lengths
    expect(encode([], [{ head: ['a', '1'], tail: [[1]] }])).toBeUndefined(); // too narrow
    expect(encode([], [{ head: ['a', '1'], tail: [[1], [NaN]] }])).toBeUndefined(); // a value JSON would store differently
    expect(encode([], [{ head: ['a\ud800', '1'], tail: [[1], [1]] }])).toBeUndefined();
    // two variable-width tail columns that outgrow the buffer reserved for the run
    const text = rowBinaryEncoder(['String', 'String', 'String'])!;
    const long = [{ head: ['k'], tail: [Array.from({ length: 50 }, (_, i) => 'x'.repeat(i * 40)), Array.from({ length: 50 }, (_, i) => `v${i}`)] }];
    expect(text([], long)!.toString('hex')).toBe(text(allRows({ table: 't', columns: ['a', 'b', 'c'], rows: [], runs: long }))!.toString('hex'));
    // and at every fill level: some run leaves the buffer exactly full before a row's leading bytes
    for (let size = 0; size < 400; size++) {
      const runs = [{ head: ['k'], tail: [Array.from({ length: 40 }, (_, i) => 'y'.repeat((size * 7 + i * 13) % 97)), Array.from({ length: 40 }, () => 'z'.repeat(size % 31))] }];
      expect(text([], runs)!.toString('hex'), `size ${size}`).toBe(text(allRows({ table: 't', columns: ['a', 'b', 'c'], rows: [], runs }))!.toString('hex'));
    }
  });

  it('has no encoder for types it does not write (the table then takes JSON)', () => {
    for (const type of ['Array(Float64)', 'Float32', 'Int32', 'Decimal(10, 2)', "AggregateFunction(argMax, Float64, DateTime64(3, 'UTC'))", 'Nullable(Array(String))']) {
      expect(valueWriter(type), type).toBeUndefined();
    }
    expect(rowBinaryEncoder(['String', 'Array(Float64)'])).toBeUndefined();
  });
});
