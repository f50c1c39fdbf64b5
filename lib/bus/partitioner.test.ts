import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionFor } from './partitioner.ts';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: string) => number;

describe('murmur2', () => {
  // Vectors from Apache Kafka's UtilsTest.testMurmur2.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('hashes %s like the Java client', (key, expected) => {
    expect(murmur2(key)).toBe(expected);
  });

  it('agrees with kafkajs on tenant/source keys', () => {
    for (let i = 0; i < 200; i++) {
      const key = `tenant-${i % 7}/host-${i}`;
      expect(murmur2(key)).toBe(kafkajsMurmur2(key) | 0);
    }
  });

  it('maps keys into range', () => {
    for (let i = 0; i < 100; i++) expect(partitionFor(`k${i}`, 6)).toBeLessThan(6);
  });
});
