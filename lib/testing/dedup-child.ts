// Child process for the deduplication-repair test: opens the embedded store under <dataDir> (which runs
// the repair), applies the migrations, inserts 600 samples of one minute under <token>, and prints the
// counts of samples and of its 1-minute and 1-hour rollups as one JSON line. The test runs it under strace to kill it
// between the insert's deduplication record and its part's rename. Usage:
//   tsx lib/testing/dedup-child.ts <dataDir> <token> <firstTs>
import { pino } from 'pino';
import { loadSection } from '../config/section.ts';
import { createClickHouseStore } from '../store/clickhouse.ts';
import { storeConfigSchema } from '../store/config.ts';
import { migrate } from '../store/migrate.ts';

const [dataDir, token, firstTs] = process.argv.slice(2) as [string, string, string];
const log = pino({ level: 'warn' }, pino.destination(2));
const store = await createClickHouseStore(loadSection(storeConfigSchema, { CLICKHOUSE_DATABASE: 'dedup' }).value, dataDir, log);
await migrate(store, log);
const rows = Array.from({ length: 600 }, (_, i) => ['t', i % 10, Number(firstTs) + Math.floor(i / 10) * 100, i]); // epoch ms: the RowBinary path
process.stderr.write('inserting\n');
await store.insert({ table: 'samples', columns: ['tenant', 'series_id', 'ts', 'value'], rows }, token);
const [counts] = await store.query<{ samples: string; rollup_1m: string; rollup_1h: string }>(`SELECT toString((SELECT count() FROM dedup.samples)) AS samples, toString((SELECT sum(count) FROM dedup.samples_1m)) AS rollup_1m, toString((SELECT sum(count) FROM dedup.samples_1h)) AS rollup_1h`);
process.stdout.write(`${JSON.stringify(counts)}\n`);
await store.close();
