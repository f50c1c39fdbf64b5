// The forecaster packer: exact round trips for every member set, and a packed series that is unpacked,
// stepped and packed again at every point forecasts exactly like one kept as objects.
import { describe, expect, it } from 'vitest';
import { defaultForecasterParams, fitForecaster, forecast, updateForecaster } from './index.ts';
import { packForecaster, unpackForecaster } from './packed.ts';

const params = { ...defaultForecasterParams, optimizerEvals: 30 };
/** Hourly values with daily and weekly cycles, a trend, noise from a fixed generator, and a few gaps. */
function series(n: number, offset = 100): number[] {
  let seed = 7;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 4;
  return Array.from({ length: n }, (_, t) => (t % 97 === 50 ? NaN : offset + 0.05 * t + 20 * Math.sin((2 * Math.PI * t) / 24) + 8 * Math.sin((2 * Math.PI * t) / 168) + noise()));
}

describe('packForecaster', () => {
  // naive, daily seasonal naive, the daily ensemble, the weekly ensemble; and a series with negative values (raw scale only)
  it.each([[12, 100], [30, 100], [100, 100], [600, 100], [600, -50]])('round-trips a forecaster fitted on %i hours (offset %i) exactly', (n, offset) => {
    const state = fitForecaster(series(n, offset), params);
    const packed = packForecaster(state);
    expect(packed.numbers).toBeInstanceOf(Float64Array);
    expect(unpackForecaster(packed)).toStrictEqual(state);
    expect(JSON.stringify(unpackForecaster(packed))).toBe(JSON.stringify(state)); // same key order: snapshots stay byte-identical
  });

  it('keeps NaN, infinities and -0 as they were', () => {
    const state = fitForecaster(series(100), params);
    state.errorLevel = -0;
    state.errorLevelAtFit = Infinity;
    state.intervals.scale[3] = NaN;
    const back = unpackForecaster(packForecaster(state));
    expect(Object.is(back.errorLevel, -0)).toBe(true);
    expect(back.errorLevelAtFit).toBe(Infinity);
    expect(back.intervals.scale[3]).toBeNaN();
  });

  it('continues exactly like the object form when unpacked, stepped and packed at every point', () => {
    const history = series(700);
    const plain = fitForecaster(history.slice(0, 600), params);
    let packed = packForecaster(fitForecaster(history.slice(0, 600), params));
    for (const y of history.slice(600)) {
      updateForecaster(plain, y, params);
      const state = unpackForecaster(packed);
      updateForecaster(state, y, params);
      packed = packForecaster(state);
    }
    expect(forecast(unpackForecaster(packed), 48, params)).toStrictEqual(forecast(plain, 48, params));
  });
});
