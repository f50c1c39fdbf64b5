import { describe, expect, it } from 'vitest';
import { snapshotReplacer, snapshotReviver } from './snapshot-json.ts';

describe('snapshot JSON', () => {
  it('round-trips the numbers plain JSON loses', () => {
    const state = { a: Number.NaN, b: [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1.5], c: { d: 2 } };
    const back = JSON.parse(JSON.stringify(state, snapshotReplacer), snapshotReviver) as typeof state;
    expect(back.a).toBeNaN();
    expect(back.b[0]).toBe(Number.POSITIVE_INFINITY);
    expect(back.b[1]).toBe(Number.NEGATIVE_INFINITY);
    expect(Object.is(back.b[2], -0)).toBe(true);
    expect(back.b[3]).toBe(1.5);
    expect(back.c).toEqual({ d: 2 });
  });
});
