// `npm run bench:m4`: fits the prognos forecaster on every M4 hourly series, scores it against the test
// half and prints the table next to the published M4 results. Options: --dir DIR (or env M4_DIR), --limit N,
// --validate (score on the last 48 training points instead: for tuning the global configuration blind),
// --stream N (as the forecast processor runs: fit on the training half but its last N points, then consume
// those one hour at a time; scored twice, the forecaster kept as objects and packed and unpacked after
// every hour, with how far the two forecasts are apart; the processor forecasts before it packs, so the
// packed figure is if anything a little worse than the processor's).
import { fitForecaster, updateForecaster } from '../../models/forecast/index.ts';
import { packForecaster, unpackForecaster } from '../../models/forecast/packed.ts';
import { loadM4Hourly } from './m4/data.ts';
import { benchParams, formatBench, runBench, type Prepare } from './m4/run.ts';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const dir = option('--dir') ?? process.env['M4_DIR'] ?? new URL('../../../shared/benchmarks/m4-hourly', import.meta.url).pathname;
const limit = Number(option('--limit') ?? Infinity);
const loaded = loadM4Hourly(dir, limit);
const validate = process.argv.includes('--validate');
const series = validate ? loaded.map((s) => ({ id: s.id, train: s.train.slice(0, -48), test: s.train.slice(-48) })) : loaded;
if (validate) console.log('VALIDATION MODE: train minus its last 48 points, scored on those 48 (test file unused)');
const stream = Number(option('--stream') ?? 0);
const shortest = Math.min(...series.map((s) => s.train.length));
if (!Number.isInteger(stream) || stream < 0 || (stream > 0 && stream >= shortest)) {
  console.error(`--stream takes a whole number of hours below the shortest training half (${shortest}); got ${option('--stream')}`);
  process.exit(2);
}
if (stream === 0) {
  console.log(formatBench(runBench(series, benchParams, () => performance.now())));
} else {
  /** Fit on all but the last `stream` points, then step through them, packed and unpacked around each step when `packed`. */
  const streamed = (packed: boolean): Prepare => (train, params) => {
    let state = fitForecaster(train.slice(0, -stream), params);
    if (packed) state = unpackForecaster(packForecaster(state));
    for (const y of train.slice(-stream)) {
      updateForecaster(state, y, params);
      if (packed) state = unpackForecaster(packForecaster(state));
    }
    return state;
  };
  const objects = runBench(series, benchParams, () => performance.now(), streamed(false));
  const held = runBench(series, benchParams, () => performance.now(), streamed(true));
  console.log(`STREAM MODE: fitted on the training half but its last ${stream} points, which are then consumed one hour at a time (no refit)\n`);
  console.log(`### kept as objects\n\n${formatBench(objects)}\n\n### packed and unpacked after every hour, as the forecast processor holds it between hours\n\n${formatBench(held)}`);
  let worst = 0;
  let sum = 0;
  let n = 0;
  objects.forecasts.forEach((a, i) => {
    const b = held.forecasts[i]!;
    for (const key of ['mean', 'lo80', 'hi80', 'lo95', 'hi95'] as const) {
      a[key].forEach((v, t) => {
        const width = a.hi80[t]! - a.lo80[t]!;
        if (!(width > 0)) return;
        const d = Math.abs(v - b[key][t]!) / width;
        worst = Math.max(worst, d);
        sum += d;
        n++;
      });
    }
  });
  console.log(`\npacked against objects, |difference| / 80% interval width over every point and bound: mean ${(sum / n).toExponential(2)}, max ${worst.toExponential(2)}`);
}
