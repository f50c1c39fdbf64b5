import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalSeries, memoKey, seriesId } from './series-id.ts';

/** The definition, written out independently: first 8 bytes of SHA-1 of the canonical text, big-endian. */
const reference = (tenant: string, metric: string, labels: Record<string, string>) =>
  createHash('sha1').update(canonicalSeries(tenant, metric, labels)).digest().readBigUInt64BE(0).toString();

describe('seriesId', () => {
  it.each([
    ['acme', 'cpu_usage_percent', { host: 'host-01' }],
    ['acme', 'disk_used_bytes', { host: 'host-01', mount: '/', capacity_bytes: '536870912000' }],
    ['other', 'cpu_usage_percent', { host: 'host-01' }],
    ['acme', 'up', {}],
  ])('is the 64-bit SHA-1 prefix of the canonical text (%s %s)', (tenant, metric, labels) => {
    expect(seriesId(tenant, metric, labels)).toBe(reference(tenant, metric, labels));
  });

  it('keeps its canonical text and ids from release to release (stored rows join on them)', () => {
    expect(canonicalSeries('acme', 'm', { b: '2', a: '1', Z: 'z' })).toBe('acme\u0000m\u0000Z=z\u0000a=1\u0000b=2');
    expect(canonicalSeries('acme', 'up', {})).toBe('acme\u0000up');
    expect(seriesId('acme', 'up', {})).toBe('17228842051162523205');
    expect(seriesId('acme', 'disk_used_bytes', { mount: '/', host: 'host-01', capacity_bytes: '536870912000' })).toBe('10633990976007779609');
  });

  it('does not depend on label order, and separates tenants, metrics and label values', () => {
    expect(seriesId('acme', 'm', { a: '1', b: '2' })).toBe(seriesId('acme', 'm', { b: '2', a: '1' }));
    const ids = new Set([seriesId('acme', 'm', { a: '1' }), seriesId('acme', 'm', { a: '2' }), seriesId('acme', 'n', { a: '1' }), seriesId('beta', 'm', { a: '1' })]);
    expect(ids.size).toBe(4);
  });

  it('answers from its memo only for the same identity, whatever the label order or objects', () => {
    // the memo's key sums per-pair hashes: swapped values, or a pair moved between series, must still miss
    const cases: [string, string, Record<string, string>][] = [
      ['acme', 'm', { a: '1', b: '2' }],
      ['acme', 'm', { a: '2', b: '1' }],
      ['acme', 'm', { b: '1', a: '2' }],
      ['acme', 'm', { a: '1' }],
      ['acme', 'm', { a: '1', b: '2', c: '' }],
      ['acme', 'm', { ab: '1', b: '2' }],
      ['acme', 'ma', { a: '1', b: '2' }],
      ['acmem', '', { a: '1', b: '2' }],
    ];
    for (let round = 0; round < 2; round++) {
      for (const [tenant, metric, labels] of cases) expect(seriesId(tenant, metric, { ...labels })).toBe(reference(tenant, metric, labels));
    }
  });

  it('tells apart series whose memo keys collide', () => {
    const one = { host: 'host-2679' };
    const two = { host: 'host-231882' };
    expect(memoKey('acme', 'up', ['host'], one)).toBe(memoKey('acme', 'up', ['host'], two));
    expect(seriesId('acme', 'up', one)).toBe(reference('acme', 'up', one));
    expect(seriesId('acme', 'up', two)).toBe(reference('acme', 'up', two));
    expect(seriesId('acme', 'up', { ...one })).toBe(reference('acme', 'up', one));
  });

  it('gives the same ids after its memo has filled and started over', () => {
    const first = Array.from({ length: 50 }, (_, i) => seriesId('acme', 'm', { i: String(i) }));
    for (let i = 0; i < 250_000; i++) seriesId('acme', 'fill', { i: String(i) });
    expect(Array.from({ length: 50 }, (_, i) => seriesId('acme', 'm', { i: String(i) }))).toEqual(first);
    expect(first[7]).toBe(reference('acme', 'm', { i: '7' }));
  });
});
