// The AlertEvent codec against its golden fixture: the JSON encodes to the golden bytes and back, with
// Confluent framing and schema id 3, and a trigger (end_ms null) round-trips too.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { schemaIds } from '../../lib/avro/codec.ts';
import { createAlertEventCodec, type AlertEvent } from './alert-event.ts';

const fixtures = new URL('../../schemas/avro/fixtures/', import.meta.url);
const golden = JSON.parse(readFileSync(new URL('alert-event.v1.json', fixtures), 'utf8')) as AlertEvent;
const goldenBytes = Buffer.from(readFileSync(new URL('alert-event.v1.hex', fixtures), 'utf8').trim(), 'hex');

describe('alert event codec', () => {
  const codec = createAlertEventCodec();

  it('encodes the golden fixture to the golden bytes', () => {
    expect(codec.encode(golden).equals(goldenBytes)).toBe(true);
  });

  it('decodes the golden bytes back to the fixture', () => {
    expect(codec.decode(goldenBytes)).toEqual(golden);
  });

  it('frames with magic byte 0 and schema id 3', () => {
    expect(goldenBytes[0]).toBe(0);
    expect(goldenBytes.readUInt32BE(1)).toBe(schemaIds['alert-event.v1']);
    expect(schemaIds['alert-event.v1']).toBe(3);
  });

  it('round-trips a trigger without an end', () => {
    const trigger: AlertEvent = { ...golden, action: 'trigger', end_ms: null, severity: 'warning', summary: 'spike' };
    expect(codec.decode(codec.encode(trigger))).toEqual(trigger);
  });
});
