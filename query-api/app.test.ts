import { Value } from '@sinclair/typebox/value';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { PrognosError } from '../lib/errors.ts';
import { createRegistry } from '../lib/observability/metrics.ts';
import type { Store } from '../lib/store/types.ts';
import { buildApp } from './app.ts';
import { apiConfigSchema, type ApiConfig } from './config.ts';

const keyA = 'key-for-tenant-a-0001';
const keyB = 'key-for-tenant-b-0002';

/** A store that answers series queries from a fixed table, filtered by the tenant parameter. */
function fakeStore(options: { ping?: boolean; fail?: unknown } = {}): Store & { seen: Record<string, unknown>[] } {
  const seen: Record<string, unknown>[] = [];
  const rows = [
    { tenant: 'a', id: '1', metric: 'cpu', labels: { host: 'h1' }, kind: 'GAUGE', source: 'h1', first_ms: 0, last_ms: 1000, samples: 2 },
    { tenant: 'b', id: '2', metric: 'cpu', labels: { host: 'h2' }, kind: 'GAUGE', source: 'h2', first_ms: 0, last_ms: 1000, samples: 2 },
  ];
  return {
    kind: 'chdb', database: 'db', seen, table: (n) => `db.${n}`,
    ping: async () => options.ping ?? true,
    command: async () => undefined,
    insert: async () => undefined,
    close: async () => undefined,
    async query<T>(sql: string, params?: Record<string, unknown>) {
      if (options.fail) throw options.fail;
      seen.push(params ?? {});
      if (sql.includes('db.series')) return rows.filter((r) => r.tenant === params?.['tenant'] && (params?.['id'] === undefined || r.id === params['id'])) as T[];
      return [{ t: 1000, v: 42 }] as T[];
    },
  };
}

async function app(config: Partial<ApiConfig> = {}, store = fakeStore(), now = () => 1_000_000) {
  const full = { ...(Value.Default(apiConfigSchema, {}) as ApiConfig), ...config };
  return buildApp({ config: full, store, registry: createRegistry(), log: pino({ level: 'silent' }), checks: [{ name: 'store', check: () => store.ping() }], now });
}

const keys = { apiKeys: [`${keyA}:a:viewer`, `${keyB}:b:admin`] };

describe('query API', () => {
  it('answers /healthz and /metrics without credentials', async () => {
    const api = await app(keys);
    expect((await api.inject('/healthz')).statusCode).toBe(200);
    const metrics = await api.inject('/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('prognos_process_resident_memory_bytes');
  });

  it.each([[true, 200], [false, 503]])('reports readiness %s as HTTP %i', async (reachable, status) => {
    const api = await app(keys, fakeStore({ ping: reachable }));
    const response = await api.inject('/readyz');
    expect(response.statusCode).toBe(status);
    expect(response.json().checks.store).toBe(reachable ? 'ok' : 'failing');
  });

  it.each([
    ['no key', {}],
    ['an unknown key', { 'x-api-key': 'not-a-real-key-at-all' }],
  ])('refuses %s with 401 problem+json', async (_name, headers) => {
    const response = await (await app(keys)).inject({ url: '/v1/series', headers });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
  });

  it('takes the tenant from the key, never from the request', async () => {
    const api = await app(keys);
    const a = await api.inject({ url: '/v1/series?tenant=b', headers: { 'x-api-key': keyA } });
    expect(a.json().series.map((s: { id: string }) => s.id)).toEqual(['1']);
    const b = await api.inject({ url: '/v1/series', headers: { authorization: `Bearer ${keyB}` } });
    expect(b.json().series.map((s: { id: string }) => s.id)).toEqual(['2']);
  });

  it("answers 404 for another tenant's series", async () => {
    const response = await (await app(keys)).inject({ url: '/v1/series/2/samples', headers: { 'x-api-key': keyA } });
    expect(response.statusCode).toBe(404);
  });

  it('serves the anonymous tenant only while no keys are configured', async () => {
    const open = await app({ apiKeys: [], anonymousTenant: 'a' });
    expect((await open.inject('/v1/series')).json().series).toHaveLength(1);
    const closed = await app({ apiKeys: [], anonymousTenant: '' });
    expect((await closed.inject('/v1/series')).statusCode).toBe(401);
  });

  it.each([
    ['from=yesterday', 'from'],
    ['step=5x', 'step'],
    ['from=2000&to=1000', 'before'],
    ['from=0&to=86400&step=1', 'limit'],
  ])('refuses a bad samples query (%s) with 400 naming the problem', async (query, word) => {
    const response = await (await app(keys)).inject({ url: `/v1/series/1/samples?${query}`, headers: { 'x-api-key': keyA } });
    expect(response.statusCode).toBe(400);
    expect(response.json().detail).toContain(word);
  });

  it('rate-limits per credential with 429 and Retry-After', async () => {
    const api = await app({ ...keys, rateLimitPerSecond: 1, rateLimitBurst: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await api.inject({ url: '/v1/series', headers: { 'x-api-key': keyA } })).statusCode);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await api.inject({ url: '/v1/series', headers: { 'x-api-key': keyA } });
    expect(limited.headers['retry-after']).toBe('1');
    expect((await api.inject({ url: '/v1/series', headers: { 'x-api-key': keyB } })).statusCode).toBe(200);
  });

  it('hides internals of unexpected errors: generic 500, no stack', async () => {
    const api = await app(keys, fakeStore({ fail: new TypeError('secret internals at line 42') }));
    const response = await api.inject({ url: '/v1/series', headers: { 'x-api-key': keyA } });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('secret internals');
    expect(response.body).not.toContain('at ');
  });

  it('answers 503 with a retriable code while the store is unavailable', async () => {
    const api = await app(keys, fakeStore({ fail: new PrognosError('STORE_UNAVAILABLE', 'store down') }));
    const response = await api.inject({ url: '/v1/series', headers: { 'x-api-key': keyA } });
    expect(response.statusCode).toBe(503);
    expect(response.json().code).toBe('STORE_UNAVAILABLE');
  });

  it('returns raw points for a series of the tenant', async () => {
    const response = await (await app(keys)).inject({ url: '/v1/series/1/samples?from=0&to=5', headers: { 'x-api-key': keyA } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ source: 'samples', step_seconds: 0, points: [{ ts: new Date(1000).toISOString(), value: 42 }] });
  });
});

describe('results routes', () => {
  it.each(['/v1/anomalies', '/v1/capacity', '/v1/capacity?format=csv', '/v1/series/1/forecast'])('needs a credential for %s', async (url) => {
    expect((await (await app(keys)).inject(url)).statusCode).toBe(401);
  });

  it.each([
    ['/v1/anomalies?status=maybe', 400],
    ['/v1/anomalies?from=2&to=1', 400],
    ['/v1/capacity?format=xlsx', 400],
    ['/v1/series/not-a-number/forecast', 400],
  ])('refuses %s with %i', async (url, status) => {
    const response = await (await app(keys)).inject({ url, headers: { 'x-api-key': keyA } });
    expect(response.statusCode).toBe(status);
    expect(response.json().code).toBe('BAD_REQUEST');
  });

  it('passes only the tenant of the key to the store', async () => {
    const store = fakeStore();
    await (await app(keys, store)).inject({ url: '/v1/anomalies?tenant=b', headers: { 'x-api-key': keyA } });
    expect(store.seen.map((p) => p['tenant'])).toEqual(['a']);
  });
});

describe('ops app (processes without the api role)', () => {
  it('serves health, readiness and metrics, and no data routes', async () => {
    const { buildOpsApp } = await import('./app.ts');
    const ops = await buildOpsApp({ registry: createRegistry(), log: pino({ level: 'silent' }), checks: [{ name: 'processor-0', check: () => false }], now: () => 0 });
    expect((await ops.inject('/healthz')).statusCode).toBe(200);
    expect((await ops.inject('/readyz')).statusCode).toBe(503);
    expect((await ops.inject('/metrics')).statusCode).toBe(200);
    expect((await ops.inject('/v1/series')).statusCode).toBe(404);
  });
});
