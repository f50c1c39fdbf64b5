import { describe, expect, it } from 'vitest';
import { createRegistry, pipelineMetrics } from './metrics.ts';

describe('pipeline metrics', () => {
  it('reports checkpoint age per owned partition, computed at scrape time', async () => {
    const registry = createRegistry();
    const metrics = pipelineMetrics(registry);
    metrics.checkpointed('anomaly', 't', 3, Date.now() - 5_000);
    metrics.checkpointed('samples', 't', 3, Date.now() - 120_000);
    const age = await metrics.checkpointAge.get();
    const value = (component: string) => age.values.find((v) => v.labels['component'] === component && v.labels['partition'] === '3')?.value ?? 0;
    expect(value('anomaly')).toBeGreaterThanOrEqual(5);
    expect(value('anomaly')).toBeLessThan(60);
    expect(value('samples')).toBeGreaterThanOrEqual(120); // processors on one topic keep their own ages
  });

  it('stops reporting a partition once it is revoked', async () => {
    const metrics = pipelineMetrics(createRegistry());
    metrics.checkpointed('samples', 't', 1, Date.now());
    metrics.checkpointed('anomaly', 't', 1, Date.now());
    metrics.forgetPartition('samples', 't', 1);
    expect((await metrics.checkpointAge.get()).values.map((v) => v.labels)).toEqual([{ component: 'anomaly', topic: 't', partition: '1' }]);
  });

  it('is one set of metrics per registry', () => {
    const registry = createRegistry();
    expect(pipelineMetrics(registry)).toBe(pipelineMetrics(registry));
  });
});
