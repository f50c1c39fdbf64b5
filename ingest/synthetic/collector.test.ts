import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { buildBatch, defaultSleep } from './collector.ts';
import { hostSeries } from './fleet.ts';

describe('synthetic collector', () => {
  it('sleeps without leaving an abort listener behind (it sleeps every step, forever)', async () => {
    const abort = new AbortController();
    for (let i = 0; i < 20; i++) await defaultSleep(1, abort.signal);
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
  });

  it('wakes at once when stopped', async () => {
    const abort = new AbortController();
    const sleeping = defaultSleep(60_000, abort.signal);
    abort.abort();
    await expect(sleeping).resolves.toBeUndefined();
  });

  it('builds one batch with every series of the host over [from, to) at the step', () => {
    const host = { key: 'acme/host-01', source: 'host-01', series: hostSeries(7, 0, 0, 10_000) };
    const batch = buildBatch('acme', host, 1_000_000, 1_060_000, 10_000);
    expect(batch.sent_at).toBe(1_060_000);
    expect(batch.series).toHaveLength(7);
    for (const s of batch.series) expect(s.timestamps).toEqual([1_000_000, 1_010_000, 1_020_000, 1_030_000, 1_040_000, 1_050_000]);
    expect(batch.series[0]!.values).toEqual(batch.series[0]!.timestamps.map((ts) => host.series[0]!.value(ts)));
  });
});
