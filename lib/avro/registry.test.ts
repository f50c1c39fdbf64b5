import { describe, expect, it } from 'vitest';
import { PrognosError } from '../errors.ts';
import { createMetricBatchCodec } from './metric-batch.ts';
import { resolveRegistryIds } from './registry.ts';

/** A fake registry: records calls and answers with fixed ids per subject. */
function fakeRegistry(status = 200) {
  const calls: { url: string; body: string }[] = [];
  const impl = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), body: String(init?.body) });
    const id = String(url).includes('metrics') ? 101 : 202;
    return new Response(JSON.stringify(status === 200 ? { id } : { error_code: 409, message: 'incompatible' }), { status });
  }) as typeof fetch;
  return { calls, impl };
}

describe('schema registry', () => {
  it('registers under <topic>-value and frames with the registry id', async () => {
    const registry = fakeRegistry();
    const ids = await resolveRegistryIds('http://registry:8081/', { 'metric-batch.v1': 'telemetry.metrics' }, registry.impl);
    expect(registry.calls[0]!.url).toBe('http://registry:8081/subjects/telemetry.metrics-value/versions');
    expect(JSON.parse(JSON.parse(registry.calls[0]!.body).schema).name).toBe('MetricBatch');
    expect(ids['metric-batch.v1']).toBe(101);
    const codec = createMetricBatchCodec(ids);
    const bytes = codec.encode({ tenant: 't', source: 's', sent_at: 1, series: [] });
    expect(bytes.readUInt32BE(1)).toBe(101);
    expect(codec.decode(bytes).tenant).toBe('t');
  });

  it('refuses to start when the registry rejects a schema', async () => {
    await expect(resolveRegistryIds('http://registry:8081', { 'metric-batch.v1': 'm' }, fakeRegistry(409).impl)).rejects.toBeInstanceOf(PrognosError);
  });
});
