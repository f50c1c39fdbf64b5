import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PrognosError } from '../errors.ts';
import { createAvroCodec, schemaIds } from './codec.ts';
import { createMetricBatchCodec, type MetricBatch } from './metric-batch.ts';

const fixtures = new URL('../../schemas/avro/fixtures/', import.meta.url);
const golden = JSON.parse(readFileSync(new URL('metric-batch.v1.json', fixtures), 'utf8')) as MetricBatch;
const goldenBytes = Buffer.from(readFileSync(new URL('metric-batch.v1.hex', fixtures), 'utf8').trim(), 'hex');

describe('metric batch codec', () => {
  const codec = createMetricBatchCodec();

  it('encodes the golden fixture to the golden bytes', () => {
    expect(codec.encode(golden).equals(goldenBytes)).toBe(true);
  });

  it('decodes the golden bytes back to the fixture', () => {
    expect(codec.decode(goldenBytes)).toEqual(golden);
  });

  it('frames with magic byte 0 and the built-in schema id', () => {
    const bytes = codec.encode(golden);
    expect(bytes[0]).toBe(0);
    expect(bytes.readUInt32BE(1)).toBe(schemaIds['metric-batch.v1']);
  });

  it.each([
    ['garbage', Buffer.from('hello world'), 'bad_framing'],
    ['too short', Buffer.from([0, 0]), 'bad_framing'],
    ['unknown schema id', Buffer.concat([Buffer.from([0, 0, 0, 0, 99]), goldenBytes.subarray(5)]), 'unknown_schema'],
    ['truncated body', goldenBytes.subarray(0, 20), 'corrupt_body'],
  ])('rejects %s with DECODE_FAILED and reason', (_name, bytes, reason) => {
    try {
      codec.decode(bytes);
      expect.unreachable('decode should throw');
    } catch (err) {
      expect(err).toBeInstanceOf(PrognosError);
      expect((err as PrognosError).code).toBe('DECODE_FAILED');
      expect((err as PrognosError).details['reason']).toBe(reason);
    }
  });
});

describe('schema evolution (add a field with a default)', () => {
  const v2Series = { ...golden.series[0]!, unit: 'percent' };
  const v2Value = { ...golden, series: [v2Series] };

  it('old readers (v1) read v2 bytes and ignore the new field', () => {
    const v2Writer = createAvroCodec<typeof v2Value>('metric-batch.v2', ['metric-batch.v2']);
    const v1Reader = createMetricBatchCodec();
    const decoded = v1Reader.decode(v2Writer.encode(v2Value));
    expect(decoded.series[0]).toEqual(golden.series[0]);
  });

  it('new readers (v2) read v1 bytes and fill the default', () => {
    const v2Reader = createAvroCodec<typeof v2Value>('metric-batch.v2', ['metric-batch.v1', 'metric-batch.v2']);
    const decoded = v2Reader.decode(goldenBytes);
    expect(decoded.series[0]).toEqual({ ...golden.series[0], unit: '' });
  });

  it('v2 is a legal evolution of v1: every added field has a default', () => {
    const fieldsOf = (name: string) => {
      const schema = JSON.parse(readFileSync(new URL(`../../schemas/avro/${name}.avsc`, import.meta.url), 'utf8')) as { fields: { name: string; type: { items: { fields: { name: string; default?: unknown }[] } } }[] };
      return schema.fields.find((f) => f.name === 'series')!.type.items.fields;
    };
    const v1 = fieldsOf('metric-batch.v1').map((f) => f.name);
    const v2 = fieldsOf('metric-batch.v2');
    for (const name of v1) expect(v2.map((f) => f.name)).toContain(name);
    for (const field of v2.filter((f) => !v1.includes(f.name))) expect(field.default).toBeDefined();
  });
});
