// The prognos command line. `run` starts every role in one process (the `npm start` default);
// `ingest`, `process` and `api` start one role each (distributed, with KAFKA_BROKERS and CLICKHOUSE_URL);
// `detect` and `forecast` run the models over a CSV; `config` prints the configuration reference.
import { readEnv } from '../config/env.ts';
import { configSections, loadConfig, redactConfig } from '../config/load.ts';
import { describeSection } from '../config/section.ts';
import { configMarkdown } from './docs-config.ts';
import { PrognosError, messageOf } from '../errors.ts';
import { createLogger } from '../observability/log.ts';
import { createRegistry } from '../observability/metrics.ts';
import { parseRoles, startPipeline, type Role } from '../topology.ts';

const usage = `usage: prognos <command>
  run                      all roles in one process (embedded by default)
  ingest | process | api   one role (set KAFKA_BROKERS and CLICKHOUSE_URL to share data between processes)
  detect --input FILE.csv  anomaly scores for timestamp,value rows
  forecast --input FILE.csv [--horizon 48]  forecasts with 80%/95% intervals
  config [--markdown]      configuration reference (environment variables)`;

async function runRoles(roles: Role[]): Promise<number> {
  const config = loadConfig(readEnv());
  const log = createLogger(config.core.logLevel);
  log.info({ config: redactConfig(config), roles }, 'starting prognos');
  const registry = createRegistry();
  let exitCode = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const pipeline = await startPipeline({
    roles, config, log, registry, now: Date.now,
    onFatal: () => {
      exitCode = 1;
      resolveDone();
    },
  });
  const where = {
    api: pipeline.apiUrl,
    metrics: `${pipeline.apiUrl ?? pipeline.opsUrl ?? '(OPS_PORT=0)'}/metrics`,
    bus: pipeline.bus.kind === 'embedded' ? `${config.core.dataDir}/bus` : config.bus.brokers.join(','),
    store: pipeline.store.kind === 'chdb' ? `${config.core.dataDir}/chdb (database ${config.store.database})` : `${config.store.url} (database ${config.store.database})`,
  };
  log.info(where, 'prognos is running; Ctrl-C stops it cleanly');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => {
    log.info({ signal }, 'shutting down: draining in-flight batches');
    resolveDone();
  });
  await done;
  await pipeline.stop();
  log.info({ exitCode }, 'stopped');
  return exitCode;
}

function printConfig(markdown: boolean): number {
  if (markdown) {
    process.stdout.write(configMarkdown());
    return 0;
  }
  for (const schema of Object.values(configSections)) {
    for (const row of describeSection(schema)) process.stdout.write(`${row.env}=${row.default}\t# ${row.description}\n`);
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return runRoles(['ingest', 'process', 'api']);
    case 'ingest':
    case 'process':
    case 'api':
      return runRoles(parseRoles([command, ...rest]));
    case 'detect': {
      const { runDetect } = await import('./detect.ts');
      return runDetect(rest, process.stdout, process.stderr, readEnv());
    }
    case 'forecast': {
      const { runForecast } = await import('./forecast.ts');
      return runForecast(rest, process.stdout);
    }
    case 'config':
      return printConfig(rest.includes('--markdown'));
    default:
      process.stderr.write(`${usage}\n`);
      return command === undefined || command === '--help' || command === 'help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // No stack traces for users: coded errors print their message; anything else is a bug worth a report.
    const text = err instanceof PrognosError ? `prognos: ${err.code}: ${err.message}` : `prognos: unexpected error: ${messageOf(err)}`;
    process.stderr.write(`${text}\n`);
    process.exit(err instanceof PrognosError && err.code === 'CONFIG_INVALID' ? 78 : 1);
  },
);
