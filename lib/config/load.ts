// Loads every component's section once, reports all violations together, and freezes the result.
import type { Static, TObject } from '@sinclair/typebox';
import { apiConfigSchema } from '../../query-api/config.ts';
import { syntheticConfigSchema } from '../../ingest/synthetic/config.ts';
import { anomalyConfigSchema } from '../../processors/anomaly/config.ts';
import { forecastConfigSchema } from '../../processors/forecast/config.ts';
import { samplesConfigSchema } from '../../processors/samples/config.ts';
import { busConfigSchema } from '../bus/config.ts';
import { PrognosError } from '../errors.ts';
import { runnerConfigSchema } from '../runner/config.ts';
import { storeConfigSchema } from '../store/config.ts';
import { coreConfigSchema } from './core.ts';
import { deepFreeze, loadSection, redactSection, type ConfigIssue } from './section.ts';

/** Every section, by name. The README configuration table is generated from these. */
export const configSections = {
  core: coreConfigSchema,
  bus: busConfigSchema,
  store: storeConfigSchema,
  runner: runnerConfigSchema,
  samples: samplesConfigSchema,
  forecast: forecastConfigSchema,
  anomaly: anomalyConfigSchema,
  synthetic: syntheticConfigSchema,
  api: apiConfigSchema,
} satisfies Record<string, TObject>;

type Sections = typeof configSections;
export type Config = { readonly [K in keyof Sections]: Readonly<Static<Sections[K]>> };

/** Validate the environment into a frozen Config, or throw CONFIG_INVALID listing every problem. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const issues: ConfigIssue[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(configSections)) {
    const section = loadSection(schema, env);
    issues.push(...section.issues);
    out[name] = section.value;
  }
  if (issues.length > 0) {
    throw new PrognosError('CONFIG_INVALID', `invalid configuration:\n${issues.map((i) => `  ${i.env}: ${i.message}`).join('\n')}`, { details: { issues } });
  }
  return deepFreeze(out as Config);
}

/** The config with secrets redacted, for the one boot log line. */
export function redactConfig(config: Config): Record<string, unknown> {
  return Object.fromEntries(Object.entries(configSections).map(([name, schema]) => [name, redactSection(schema, config[name as keyof Config] as never)]));
}
