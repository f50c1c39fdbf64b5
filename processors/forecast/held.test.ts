// Forecasters held in a partition's slabs: a held forecaster reads back as packed, keeps its slot while its
// size stays, moves (freeing the old slot) when its size changes, and series never share a slot.
import { describe, expect, it } from 'vitest';
import { defaultForecasterParams, fitForecaster, updateForecaster } from '../../models/forecast/index.ts';
import { packForecaster, unpackForecaster } from '../../models/forecast/packed.ts';
import { heldForecaster, holdForecaster, releaseForecaster, type ForecasterSlabs } from './held.ts';

const params = { ...defaultForecasterParams, optimizerEvals: 20 };
const series = (n: number, offset: number): number[] => Array.from({ length: n }, (_, t) => offset + 10 * Math.sin((2 * Math.PI * t) / 24) + (t % 7));

describe('held forecasters', () => {
  it('read back as packed, each series in its own slot', () => {
    const slabs: ForecasterSlabs = new Map();
    const a = fitForecaster(series(100, 50), params);
    const b = fitForecaster(series(100, 80), params);
    const heldA = holdForecaster(slabs, null, a);
    const heldB = holdForecaster(slabs, null, b);
    expect(heldB.words).toBe(heldA.words);
    expect(heldB.slot).not.toBe(heldA.slot);
    expect(heldForecaster(slabs, heldA)).toStrictEqual(unpackForecaster(packForecaster(a)));
    expect(heldForecaster(slabs, heldB)).toStrictEqual(unpackForecaster(packForecaster(b)));
    expect(heldA.labels).toBe(heldB.labels); // one shared label list per member set
  });

  it('writes a stepped forecaster back into its slot, and moves one whose size changed', () => {
    const slabs: ForecasterSlabs = new Map();
    const state = fitForecaster(series(100, 50), params);
    const held = holdForecaster(slabs, null, state);
    updateForecaster(state, 60, params);
    const stepped = holdForecaster(slabs, held, state);
    expect(stepped).toBe(held);
    expect(heldForecaster(slabs, stepped)).toStrictEqual(unpackForecaster(packForecaster(state)));

    const other = fitForecaster(series(12, 50), params); // fewer hours: another member set, another size
    const moved = holdForecaster(slabs, stepped, other);
    expect(moved.words).not.toBe(held.words);
    expect(heldForecaster(slabs, moved)).toStrictEqual(unpackForecaster(packForecaster(other)));
    expect(() => heldForecaster(slabs, held)).toThrow(/not allocated/); // the old slot was given back
    expect(holdForecaster(slabs, null, state).slot).toBe(held.slot); // and is handed out again
  });

  it('takes the new member names when a refit changes members but not size', () => {
    const slabs: ForecasterSlabs = new Map();
    const state = fitForecaster(series(100, 50), params);
    const held = holdForecaster(slabs, null, state);
    const renamed = structuredClone(state);
    renamed.model = `${state.model}-other`;
    renamed.members[0]!.name = `${state.members[0]!.name}-other`;
    const again = holdForecaster(slabs, held, renamed);
    expect(again.slot).toBe(held.slot);
    expect(heldForecaster(slabs, again).model).toBe(renamed.model);
    expect(heldForecaster(slabs, again).members[0]!.name).toBe(renamed.members[0]!.name);
  });

  it('gives a released slot back', () => {
    const slabs: ForecasterSlabs = new Map();
    const held = holdForecaster(slabs, null, fitForecaster(series(100, 50), params));
    releaseForecaster(slabs, held);
    expect(() => heldForecaster(slabs, held)).toThrow(/not allocated/);
  });
});
