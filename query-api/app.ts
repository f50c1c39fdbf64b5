// Builds the Fastify app: error handling, auth and rate limits, then the route plugins. No listening here
// (server.ts does that), so tests drive it with inject().
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Registry } from 'prom-client';
import type { Logger } from '../lib/observability/log.ts';
import type { Store } from '../lib/store/types.ts';
import type { ApiConfig } from './config.ts';
import { registerAuth } from './plugins/auth.ts';
import { registerErrorHandling } from './plugins/errors.ts';
import { createResultsRepository } from './repositories/results.ts';
import { createSeriesRepository } from './repositories/series.ts';
import { healthRoutes, type ReadinessCheck } from './routes/health/index.ts';
import { resultsRoutes } from './routes/results/index.ts';
import { seriesRoutes } from './routes/series/index.ts';

export interface AppDeps {
  config: ApiConfig;
  store: Store;
  registry: Registry;
  log: Logger;
  checks: readonly ReadinessCheck[];
  now: () => number;
}

/** Only /healthz, /readyz and /metrics: for processes that run no API (ingest or process roles alone). */
export async function buildOpsApp(deps: Omit<AppDeps, 'store' | 'config'>): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: deps.log as FastifyBaseLogger });
  registerErrorHandling(app);
  await app.register(healthRoutes, { checks: deps.checks, registry: deps.registry });
  return app;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: deps.log as FastifyBaseLogger, requestIdHeader: 'x-request-id', ajv: { customOptions: { coerceTypes: true, removeAdditional: false } } }).withTypeProvider<TypeBoxTypeProvider>();
  registerErrorHandling(app);
  registerAuth(app, deps.config, deps.log.child({ component: 'audit' }), deps.now);
  await app.register(healthRoutes, { checks: deps.checks, registry: deps.registry });
  await app.register(seriesRoutes, { repository: createSeriesRepository(deps.store), config: deps.config, now: deps.now });
  await app.register(resultsRoutes, { repository: createResultsRepository(deps.store), now: deps.now });
  return app;
}
