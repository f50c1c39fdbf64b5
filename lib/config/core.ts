// Process-wide settings: where data lives and how loudly to log.
import { Type, type Static } from '@sinclair/typebox';

export const coreConfigSchema = Type.Object({
  dataDir: Type.String({ env: 'PROGNOS_DATA_DIR', description: 'Directory for embedded state: the bus log and chDB data.', default: './data' }),
  opsPort: Type.Integer({ env: 'OPS_PORT', description: 'Port of /healthz, /readyz and /metrics for processes without the api role (ingest or process alone), on API_HOST. 0 turns it off.', default: 9464, minimum: 0, maximum: 65535 }),
  logLevel: Type.Union([Type.Literal('trace'), Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error'), Type.Literal('silent')], { env: 'LOG_LEVEL', description: 'pino log level.', default: 'info' }),
});

export type CoreConfig = Static<typeof coreConfigSchema>;
