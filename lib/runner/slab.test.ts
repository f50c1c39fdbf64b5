import { describe, expect, it } from 'vitest';
import { createSlab } from './slab.ts';

describe('slab', () => {
  it('gives each slot its own zeroed numbers across chunk boundaries', () => {
    const slab = createSlab(3, 2);
    const slots = Array.from({ length: 5 }, () => slab.alloc());
    expect(slots).toEqual([0, 1, 2, 3, 4]);
    expect(slab.size).toBe(5);
    for (const slot of slots) {
      const { data, at } = slab.view(slot);
      expect([...data.subarray(at, at + 3)]).toEqual([0, 0, 0]);
      data.fill(slot + 1, at, at + 3);
    }
    for (const slot of slots) {
      const { data, at } = slab.view(slot);
      expect([...data.subarray(at, at + 3)]).toEqual([slot + 1, slot + 1, slot + 1]);
    }
  });

  it('refuses a slot it has not allocated and a stride that is not a positive integer', () => {
    const slab = createSlab(4);
    slab.alloc();
    expect(() => slab.view(1)).toThrow(/slot 1 is not allocated/);
    expect(() => slab.view(-1)).toThrow(RangeError);
    expect(() => createSlab(0)).toThrow(/positive integer/);
  });
});
