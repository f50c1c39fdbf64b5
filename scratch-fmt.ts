// scratch: chDB CPU per sample row, JSONCompactEachRow vs TabSeparated vs CSV (delete after)
import { createChdbConnection } from 'chdb/connection';
import { readMigrations } from './lib/store/migrate.ts';
import { rmSync } from 'node:fs';
const dir = '/tmp/scratch-fmt'; rmSync(dir, { recursive: true, force: true });
const conn = createChdbConnection({ path: dir }) as any;
const chdb = conn.chdb;
await chdb.queryAsync('CREATE DATABASE IF NOT EXISTS p');
for (const m of readMigrations('p')) for (const s of m.statements) await chdb.queryAsync(s);
const N = 105_000;
function rows(k: number): unknown[][] {
  const out: unknown[][] = [];
  const t0 = 1_700_000_000_000 + k * 3_600_000;
  for (let i = 0; i < N; i++) {
    const s = i % 7000; const j = Math.floor(i / 7000);
    out.push(['acme', String(1e15 + s * 7919), t0 + j * 10_000 + (s % 10), Math.round(Math.random() * 1e6) / 100]);
  }
  return out;
}
const json = (r: unknown[][]) => Buffer.from(JSON.stringify(r).slice(1, -1));
const tsv = (r: unknown[][]) => { let s = ''; for (const row of r) { s += `${row[0]}\t${row[1]}\t${row[2]}\t${row[3]}\n`; } return Buffer.from(s); };
const tsvSec = (r: unknown[][]) => { let s = ''; for (const row of r) { s += `${row[0]}\t${row[1]}\t${(row[2] as number) / 1000}\t${row[3]}\n`; } return Buffer.from(s); };
const fmts: Record<string, [string, (r: unknown[][]) => Buffer]> = { json: ['JSONCompactEachRow', json], tsv: ['TabSeparated', tsv], tsvsec: ['TabSeparated', tsvSec], csv: ['CSV', tsv as any] };
const settings = { async_insert: 0, input_format_parallel_parsing: 0, deduplicate_blocks_in_dependent_materialized_views: 1, insert_deduplication_token: '' };
const order = (process.argv[2] ?? 'json,tsv,json,tsv').split(',');
let k = 0;
const res: Record<string, { build: number; cpu: number; wall: number; n: number }> = {};
for (let round = 0; round < 6; round++) for (const f of order) {
  const r = rows(k++);
  const [format, enc] = fmts[f]!;
  const b0 = performance.now(); const body = enc(r); const build = performance.now() - b0;
  const c0 = process.cpuUsage(); const w0 = performance.now();
  await chdb.rawInsert({ table: 'p.samples', columns: ['tenant', 'series_id', 'ts', 'value'], values: body, format, settings });
  const c = process.cpuUsage(c0); const wall = performance.now() - w0;
  if (round === 0) continue;
  const a = (res[f] ??= { build: 0, cpu: 0, wall: 0, n: 0 });
  a.build += build; a.cpu += (c.user + c.system) / 1000; a.wall += wall; a.n++;
}
for (const [f, a] of Object.entries(res)) console.log(f, 'build us/row', (a.build * 1000 / a.n / N).toFixed(3), 'insert cpu us/row', (a.cpu * 1000 / a.n / N).toFixed(3), 'wall us/row', (a.wall * 1000 / a.n / N).toFixed(3));
const check = await chdb.queryAsync("SELECT min(ts), max(ts), count() FROM p.samples", { format: 'TSV' });
console.log(String(check));
