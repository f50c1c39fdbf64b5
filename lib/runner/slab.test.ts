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

  it('hands a freed slot out again, zeroed, before growing, and refuses to view or free it while free', () => {
    const slab = createSlab(2, 2);
    const [a, b] = [slab.alloc(), slab.alloc()];
    slab.view(a).data.fill(7, slab.view(a).at, slab.view(a).at + 2);
    slab.free(a);
    expect(() => slab.view(a)).toThrow(/not allocated/);
    expect(() => slab.free(a)).toThrow(/not allocated/);
    expect(slab.alloc()).toBe(a);
    const { data, at } = slab.view(a);
    expect([...data.subarray(at, at + 2)]).toEqual([0, 0]);
    expect(slab.size).toBe(2);
    expect(slab.alloc()).toBe(2); // nothing free: grows
    slab.free(b);
    expect(() => slab.free(b)).toThrow(/not allocated/);
  });

  it('gives back the memory of a chunk whose slots are all free, and allocates it again, zeroed, on reuse', () => {
    const slab = createSlab(2, 2);
    const slots = [slab.alloc(), slab.alloc(), slab.alloc()]; // chunks 0 (slots 0, 1) and 1 (slot 2)
    for (const slot of slots) {
      const { data, at } = slab.view(slot);
      data.fill(9, at, at + 2);
    }
    slab.free(0);
    expect(slab.heldChunks).toBe(2); // slot 1 still in use
    slab.free(1);
    expect(slab.heldChunks).toBe(1);
    expect(() => slab.view(1)).toThrow(/not allocated/);
    const again = slab.alloc();
    expect(again).toBe(1);
    expect(slab.heldChunks).toBe(2);
    const { data, at } = slab.view(again);
    expect([...data.subarray(at, at + 2)]).toEqual([0, 0]);
    expect([...slab.view(2).data.subarray(slab.view(2).at, slab.view(2).at + 2)]).toEqual([9, 9]); // the other chunk untouched
  });

  it('refuses a slot it has not allocated and a stride that is not a positive integer', () => {
    const slab = createSlab(4);
    slab.alloc();
    expect(() => slab.view(1)).toThrow(/slot 1 is not allocated/);
    expect(() => slab.view(-1)).toThrow(RangeError);
    expect(() => createSlab(0)).toThrow(/positive integer/);
  });
});
