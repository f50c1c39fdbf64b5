// The embedded insert's RowBinary path against chDB: rows of every type it encodes are stored exactly as
// the same rows sent as JSON (compared table against table), a token deduplicates the insert and its
// materialized view, values RowBinary cannot carry go as JSON, and insert files are one per connection, removed on close.
import { createChdbConnection } from 'chdb/connection';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSection } from '../config/section.ts';
import { createClickHouseStore, createEmbeddedInsert, jsonCompactEachRow, type ChdbExtension } from './clickhouse.ts';
import { storeConfigSchema } from './config.ts';
import { allRows, type Store } from './types.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'prognos-rowbinary-'));
const filesDir = join(dataDir, 'test-inserts');
let store: Store;
let chdb: ChdbExtension;
const paths: string[] = [];
let embedded: ReturnType<typeof createEmbeddedInsert>;
const insert = (...args: Parameters<typeof embedded.insert>) => embedded.insert(...args);
const settings = { input_format_parallel_parsing: 0, deduplicate_blocks_in_dependent_materialized_views: 1, insert_deduplication_token: '' }; // as the store sends them

const types = {
  tenant: 'LowCardinality(String)',
  id: 'UInt64',
  ts: "DateTime64(3, 'UTC')",
  value: 'Float64',
  labels: 'Map(String, String)',
  ended: "Nullable(DateTime64(3, 'UTC'))",
  bucket: "DateTime('UTC')",
  flag: 'UInt8',
  points: 'UInt32',
  version: 'Int64',
  peak: 'SimpleAggregateFunction(max, Float64)',
  note: 'String',
};
const columns = Object.keys(types);
const ddl = (table: string) =>
  `CREATE TABLE ${store.table(table)} (${columns.map((c) => `${c} ${types[c as keyof typeof types]}`).join(', ')}) ENGINE = MergeTree ORDER BY (tenant, id, ts) SETTINGS non_replicated_deduplication_window = 100`;

beforeAll(async () => {
  store = await createClickHouseStore(loadSection(storeConfigSchema, { CLICKHOUSE_DATABASE: 'rbtest' }).value, dataDir, pino({ level: 'silent' }));
  const connection = createChdbConnection({ path: join(dataDir, 'chdb') }); // the same engine as the store's
  const raw = connection.chdb as unknown as ChdbExtension;
  chdb = {
    queryAsync: (sql, opts) => {
      if (sql.startsWith('INSERT')) paths.push('rowbinary');
      return raw.queryAsync(sql, opts);
    },
    rawInsert: (params) => {
      paths.push('json');
      return raw.rawInsert(params);
    },
  };
  embedded = createEmbeddedInsert([chdb], 'rbtest', filesDir, true);
  for (const table of ['rb', 'js']) await store.command(ddl(table));
  await store.command(`CREATE TABLE ${store.table('rb_count')} (tenant LowCardinality(String), n SimpleAggregateFunction(sum, UInt64)) ENGINE = AggregatingMergeTree ORDER BY tenant SETTINGS non_replicated_deduplication_window = 100`);
  await store.command(`CREATE MATERIALIZED VIEW ${store.table('rb_count_mv')} TO ${store.table('rb_count')} AS SELECT tenant, count() AS n FROM ${store.table('rb')} GROUP BY tenant`);
});
afterAll(async () => {
  await store.close();
  expect(readdirSync(join(dataDir, 'inserts'))).toEqual([]); // the store's close() removed its files
  rmSync(dataDir, { recursive: true, force: true });
});

/** Deterministic pseudo-random rows with the awkward values of each type. */
function rows(n: number, seed: number, tenant = 'acme'): unknown[][] {
  let x = seed;
  const next = () => (x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
  const strings = ['', 'a"b', 'tab\there', 'line\nbreak', '],["x"],', 'naïve ✓ 😀', '\\', "it's", '\n\n'];
  const values = [0.1 + 0.2, -0, 5e-324, 1.7976931348623157e308, -1234.5678e-9, 1, 1e21, 2 ** 53 + 2];
  const ids = ['18446744073709551615', '1', '0', '9223372036854775808', '4294967296'];
  return Array.from({ length: n }, (_, i) => {
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    return [
      tenant,
      next() < 0.5 ? pick(ids) : String(Math.floor(next() * 2 ** 53)),
      1_700_000_000_000 + i * 1_000 + Math.floor(next() * 999),
      next() < 0.5 ? pick(values) : (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20),
      next() < 0.3 ? {} : { [pick(strings)]: pick(strings), host: `h${i}` },
      next() < 0.5 ? null : 1_700_000_000_000 + i,
      1_700_000_000 + i * 60,
      next() < 0.5 ? 0 : 255,
      Math.floor(next() * 2 ** 32),
      Math.floor(next() * Number.MAX_SAFE_INTEGER),
      next() * 100,
      pick(strings),
    ];
  });
}

const dump = async (table: string, where = '1') => (await chdb.queryAsync(`SELECT * FROM rbtest.${table} WHERE ${where} ORDER BY tenant, id, ts, value, note FORMAT TSV`, { format: 'TSV' })).text();
const count = async (table: string, tenant: string) => Number((await store.query<{ n: string }>(`SELECT count() AS n FROM ${store.table(table)} WHERE tenant = {t:String}`, { t: tenant }))[0]!.n);

describe('embedded insert as RowBinary', () => {
  it('stores every encoded type exactly as the same rows sent as JSON', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const batch = rows(2_000, seed);
      paths.length = 0;
      await insert({ table: 'rb', columns: columns, rows: batch }, settings);
      expect(paths).toEqual(['rowbinary']);
      await chdb.rawInsert({ table: 'rbtest.js', columns, values: jsonCompactEachRow(batch), format: 'JSONCompactEachRow', settings });
    }
    const [rb, js] = [await dump('rb'), await dump('js')];
    expect(rb.split('\n').length).toBe(10_001);
    expect(rb).toBe(js);
  });

  it('stores runs of rows (the samples processor\'s form) exactly as their rows sent as JSON', async () => {
    const batch = rows(1_000, 17, 'runs');
    // runs of up to 7 rows that share tenant and id, the rest of each row as parallel arrays
    const runs = [];
    for (let i = 0; i < batch.length; i += 7) {
      const group = batch.slice(i, i + 7).map((row) => [batch[i]![0], batch[i]![1], ...row.slice(2)]);
      runs.push({ head: group[0]!.slice(0, 2), tail: columns.slice(2).map((_, c) => group.map((row) => row[c + 2])) });
    }
    const plain = rows(3, 18, 'runs');
    paths.length = 0;
    await insert({ table: 'rb', columns, rows: plain, runs }, settings);
    expect(paths).toEqual(['rowbinary']);
    const expanded = allRows({ table: 'rb', columns, rows: plain, runs });
    expect(expanded).toHaveLength(1_003);
    await chdb.rawInsert({ table: 'rbtest.js', columns, values: jsonCompactEachRow(expanded), format: 'JSONCompactEachRow', settings });
    expect(await dump('rb', "tenant = 'runs'")).toBe(await dump('js', "tenant = 'runs'"));
  });

  it('inserts a batch once however often it is sent with the same token, and so does its materialized view', async () => {
    const batch = rows(100, 99, 'dedup');
    for (const token of ['t-1', 't-1', 't-2']) await insert({ table: 'rb', columns: columns, rows: batch }, { ...settings, insert_deduplication_token: token });
    expect(await count('rb', 'dedup')).toBe(200);
    expect(Number((await store.query<{ n: string }>(`SELECT sum(n) AS n FROM ${store.table('rb_count')} WHERE tenant = 'dedup'`))[0]!.n)).toBe(200);
  });

  it('deduplicates a batch sent twice without a token, as a JSON insert does', async () => {
    const batch = rows(50, 41, 'untokened');
    await insert({ table: 'rb', columns: columns, rows: batch }, settings);
    await insert({ table: 'rb', columns: columns, rows: batch }, settings);
    expect(await count('rb', 'untokened')).toBe(50);
  });

  it('deduplicates the replay of a large batch first stored as JSON (same blocks either way)', async () => {
    const batch = rows(100_000, 43, 'replayed'); // more than one block of file()'s default 65,409 rows
    const tokened = { ...settings, insert_deduplication_token: 'replay-1' };
    await chdb.rawInsert({ table: 'rbtest.rb', columns, values: jsonCompactEachRow(batch), format: 'JSONCompactEachRow', settings: tokened });
    paths.length = 0;
    await insert({ table: 'rb', columns: columns, rows: batch }, tokened);
    expect(paths).toEqual(['rowbinary']);
    expect(await count('rb', 'replayed')).toBe(100_000);
  });

  it('sends a batch as JSON when a value has no exact RowBinary form, with what JSON stores', async () => {
    const batch = rows(3, 7, 'fallback');
    batch[1]![9] = -5; // a negative Int64
    paths.length = 0;
    await insert({ table: 'rb', columns: columns, rows: batch }, settings);
    expect(paths).toEqual(['json']);
    await chdb.rawInsert({ table: 'rbtest.js', columns, values: jsonCompactEachRow(batch), format: 'JSONCompactEachRow', settings });
    expect(await dump('rb', "tenant = 'fallback'")).toBe(await dump('js', "tenant = 'fallback'"));
    expect(await dump('rb', "tenant = 'fallback' AND version = -5")).not.toBe('');
    const surrogate = rows(2, 8, 'surrogate');
    surrogate[1]![11] = 'lone \ud800 surrogate';
    paths.length = 0;
    await expect(insert({ table: 'rb', columns: columns, rows: surrogate }, settings)).rejects.toThrow(/surrogate pair/); // ClickHouse's verdict, not a silent U+FFFD
    expect(paths).toEqual(['json']);
    expect(await count('rb', 'surrogate')).toBe(0);
  });

  it('sends JSON to a table with a type it does not encode, and refuses a batch as ClickHouse does', async () => {
    await store.command(`CREATE TABLE ${store.table('arr')} (x Array(Float64)) ENGINE = MergeTree ORDER BY tuple()`);
    paths.length = 0;
    await insert({ table: 'arr', columns: ['x'], rows: [[[1.5, 2]]] }, settings);
    expect(paths).toEqual(['json']);
    const bad = rows(2, 3, 'bad');
    bad[1]![1] = 'not a number';
    await expect(store.insert({ table: 'rb', columns, rows: bad })).rejects.toMatchObject({ code: 'STORE_REJECTED' });
    expect(await count('rb', 'bad')).toBe(0);
  });

  it('keeps one insert file per connection, and removes it on close', () => {
    expect(readdirSync(filesDir)).toHaveLength(1);
    embedded.close();
    expect(readdirSync(filesDir)).toEqual([]);
    expect(readdirSync(join(dataDir, 'inserts')).length).toBeLessThanOrEqual(2); // the store's, one per connection used
  });
});
