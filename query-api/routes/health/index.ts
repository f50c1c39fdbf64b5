// /healthz (the process is alive), /readyz (storage reachable and every consumer healthy) and /metrics
// (Prometheus text from the one registry). Public: probes and scrapers carry no credentials.
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';

/** A named readiness check. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean> | boolean;
}

export interface HealthRoutesOptions {
  checks: readonly ReadinessCheck[];
  registry: Registry;
}

export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, { checks, registry }) => {
  app.get('/healthz', { config: { public: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { public: true } }, async (_request, reply) => {
    const results = await Promise.all(checks.map(async (c) => [c.name, await Promise.resolve(c.check()).catch(() => false)] as const));
    const ready = results.every(([, ok]) => ok);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results.map(([name, ok]) => [name, ok ? 'ok' : 'failing'])) });
  });
  app.get('/metrics', { config: { public: true } }, async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
};
