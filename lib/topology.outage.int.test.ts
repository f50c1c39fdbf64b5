// Store outage: ClickHouse refuses every write for a while mid-run. The runner pauses (retrying with
// capped back-off), the collector keeps appending to the durable bus, memory stays bounded, and when the
// store returns the pipeline catches up with nothing missing or doubled.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PrognosError } from './errors.ts';
import type { Store } from './store/types.ts';
import { scalar, startTestPipeline, waitFor } from './testing/pipeline.ts';
import { T0, expectedSamples, fleetEnv } from './testing/scenarios.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'prognos-outage-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** A store whose inserts fail with STORE_UNAVAILABLE while `down()` is true; reads still work. */
function flaky(store: Store, down: () => boolean, failures: { count: number }): Store {
  return {
    ...store,
    table: store.table,
    async insert(rows, token) {
      if (down()) {
        failures.count++;
        throw new PrognosError('STORE_UNAVAILABLE', 'injected outage');
      }
      return store.insert(rows, token);
    },
  };
}

describe('store outage', () => {
  it('pauses, keeps memory bounded, then catches up with every sample exactly once', async () => {
    let down = false;
    const failures = { count: 0 };
    const hosts = 10;
    const hours = 8;
    const env = { PROGNOS_DATA_DIR: dataDir, ...fleetEnv('outage', 'outage.metrics', hosts, hours), PROCESSOR_RETRY_BASE_DELAY_MS: '20', SYNTHETIC_MAX_POINTS_PER_BATCH: '10' };
    const pipeline = await startTestPipeline({ env, now: () => T0, wrapStore: (store) => flaky(store, () => down, failures) });
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 50);
    await waitFor('first samples stored', async () => (await scalar(pipeline.store, 'SELECT count() AS v FROM outage.samples')) > 0);
    down = true;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const duringOutage = await scalar(pipeline.store, 'SELECT sum(count) AS v FROM outage.samples_1m');
    down = false;
    const expected = expectedSamples(hosts, T0 - hours * 3_600_000, T0);
    await waitFor('catch up after the outage', async () => (await scalar(pipeline.store, 'SELECT sum(count) AS v FROM outage.samples_1m')) >= expected, 120_000);
    clearInterval(sampler);
    expect(failures.count).toBeGreaterThan(0);
    expect(duringOutage).toBeLessThan(expected);
    expect(await scalar(pipeline.store, 'SELECT sum(count) AS v FROM outage.samples_1m')).toBe(expected);
    expect(await scalar(pipeline.store, 'SELECT uniqExact(series_id, ts) AS v FROM outage.samples')).toBe(expected);
    // Bound: the backlog waits on disk in the bus, not in memory. 256 MiB of heap growth is far below
    // the 2 million samples of this run held as rows.
    expect(heapPeak - heapBefore).toBeLessThan(256 * 1024 * 1024);
    await pipeline.stop();
  });
});
