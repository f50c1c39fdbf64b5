// Configuration of the synthetic fleet collector (the demo and test source of `npm start`).
import { Type, type Static } from '@sinclair/typebox';

export const syntheticConfigSchema = Type.Object({
  enabled: Type.Boolean({ env: 'SYNTHETIC_ENABLED', description: 'Run the synthetic fleet in the ingest role.', default: true }),
  tenant: Type.String({ env: 'SYNTHETIC_TENANT', description: 'Tenant the synthetic fleet writes as.', default: 'default', pattern: '^[a-z0-9][a-z0-9_-]*$' }),
  hosts: Type.Integer({ env: 'SYNTHETIC_HOSTS', description: 'Number of simulated hosts (7 series each).', default: 4, minimum: 1, maximum: 100_000 }),
  stepMs: Type.Integer({ env: 'SYNTHETIC_STEP_MS', description: 'Sample interval.', default: 10_000, minimum: 100 }),
  backfillHours: Type.Number({ env: 'SYNTHETIC_BACKFILL_HOURS', description: 'History generated on first start, so baselines and forecasts have data at once.', default: 72, minimum: 0 }),
  maxPointsPerBatch: Type.Integer({ env: 'SYNTHETIC_MAX_POINTS_PER_BATCH', description: 'Most points per series in one MetricBatch while catching up.', default: 60, minimum: 1 }),
  incidentsPerHostDay: Type.Number({ env: 'SYNTHETIC_INCIDENTS_PER_HOST_DAY', description: 'Chance per host and day of an injected incident (CPU spike and error burst).', default: 0.3, minimum: 0, maximum: 1 }),
  seed: Type.Integer({ env: 'SYNTHETIC_SEED', description: 'Seed: the same seed gives the same fleet, sample for sample.', default: 1 }),
});

export type SyntheticConfig = Static<typeof syntheticConfigSchema>;
