import { describe, expect, it } from 'vitest';
import { batchLength } from './batch.ts';

const sized = (...sizes: number[]) => sizes.map((n) => ({ value: Buffer.alloc(n) }));

describe('batchLength', () => {
  it('stops at the record cap', () => {
    expect(batchLength(sized(1, 1, 1, 1, 1), 3)).toBe(3);
    expect(batchLength(sized(1, 1), 3)).toBe(2);
  });

  it('stops before the record that would pass the byte cap', () => {
    expect(batchLength(sized(40, 40, 40, 40), 10, 100)).toBe(2);
    expect(batchLength(sized(40, 60, 1), 10, 100)).toBe(2); // exactly at the cap is in
  });

  it('always takes one record, however large', () => {
    expect(batchLength(sized(500, 1), 10, 100)).toBe(1);
    expect(batchLength(sized(1), 0, 0)).toBe(1);
  });

  it('takes nothing from nothing', () => {
    expect(batchLength([], 10, 100)).toBe(0);
  });
});
