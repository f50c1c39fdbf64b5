import { describe, expect, it } from 'vitest';
import { createRegistry, pipelineMetrics } from './metrics.ts';

describe('pipeline metrics', () => {
  it('reports checkpoint age per owned partition, computed at scrape time', async () => {
    const registry = createRegistry();
    const metrics = pipelineMetrics(registry);
    metrics.checkpointed('t', 3, Date.now() - 5_000);
    const age = await metrics.checkpointAge.get();
    const value = age.values.find((v) => v.labels['partition'] === '3')?.value ?? 0;
    expect(value).toBeGreaterThanOrEqual(5);
    expect(value).toBeLessThan(60);
  });

  it('stops reporting a partition once it is revoked', async () => {
    const metrics = pipelineMetrics(createRegistry());
    metrics.checkpointed('t', 1, Date.now());
    metrics.forgetPartition('t', 1);
    expect((await metrics.checkpointAge.get()).values).toEqual([]);
  });

  it('is one set of metrics per registry', () => {
    const registry = createRegistry();
    expect(pipelineMetrics(registry)).toBe(pipelineMetrics(registry));
  });
});
