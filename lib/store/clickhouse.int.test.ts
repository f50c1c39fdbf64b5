// The chDB store's insert path (raw JSONCompactEachRow): values of every column type prognos writes come
// back as they went in, a repeated token inserts once, and a refused insert is STORE_REJECTED with no row
// of it stored.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSection } from '../config/section.ts';
import { PrognosError } from '../errors.ts';
import { createClickHouseStore, jsonCompactEachRow } from './clickhouse.ts';
import { storeConfigSchema } from './config.ts';
import type { Store } from './types.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'prognos-store-'));
let store: Store;
const columns = ['tenant', 'id', 'ts', 'value', 'labels', 'steps', 'note'];

beforeAll(async () => {
  store = await createClickHouseStore(loadSection(storeConfigSchema, { CLICKHOUSE_DATABASE: 'storetest' }).value, dataDir, pino({ level: 'silent' }));
  await store.command(`CREATE TABLE ${store.table('t')} (tenant LowCardinality(String), id UInt64, ts DateTime64(3, 'UTC'), value Float64, labels Map(String, String), steps Array(Float64), note Nullable(String))
    ENGINE = MergeTree ORDER BY (tenant, id, ts) SETTINGS non_replicated_deduplication_window = 100`);
});
afterAll(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const count = async (): Promise<number> => Number((await store.query<{ n: string }>(`SELECT count() AS n FROM ${store.table('t')}`))[0]!.n);

describe('chDB store directory', () => {
  it('is shared by the stores of one process (roles split in one process share the engine)', async () => {
    const second = await createClickHouseStore(loadSection(storeConfigSchema, { CLICKHOUSE_DATABASE: 'storetest' }).value, dataDir, pino({ level: 'silent' }));
    await second.command(`CREATE TABLE ${second.table('shared')} (x UInt8) ENGINE = MergeTree ORDER BY x`);
    await second.insert({ table: 'shared', columns: ['x'], rows: [[7]] });
    await second.close();
    expect(await store.query(`SELECT x FROM ${store.table('shared')}`)).toEqual([{ x: 7 }]);
    expect(existsSync(join(dataDir, 'chdb.lock'))).toBe(true); // the first store still holds it
  });
});

describe('chDB store insert', () => {
  it('stores every column type as sent, strings with quotes, tabs, newlines and unicode included', async () => {
    const rows = [
      ['acme', '18446744073709551615', 1_800_000_000_123, 0.1 + 0.2, { host: 'a"b', 'k\te': 'line\nbreak', sep: '],["x"],' }, [1.5, -2e-300, 1e300], null],
      ['acme', '1', 1_800_000_000_000, -1234.5678e-9, {}, [], 'naïve ✓ \\ backslash'],
    ];
    await store.insert({ table: 't', columns, rows }, 'types-1');
    const back = await store.query<Record<string, unknown>>(`SELECT tenant, toString(id) AS id, toUnixTimestamp64Milli(ts) AS ts, value, labels, steps, note FROM ${store.table('t')} WHERE tenant = 'acme' ORDER BY id DESC`);
    expect(back.map((r) => [r['tenant'], r['id'], Number(r['ts']), r['value'], r['labels'], r['steps'], r['note']])).toEqual(rows);
  });

  it('inserts a batch once however often it is sent with the same token', async () => {
    const rows = [['dedup', '7', 1_800_000_000_000, 1, {}, [], null], ['dedup', '8', 1_800_000_000_000, 2, {}, [], null]];
    const before = await count();
    await store.insert({ table: 't', columns, rows }, 'dedup-1');
    await store.insert({ table: 't', columns, rows }, 'dedup-1');
    expect(await count()).toBe(before + 2);
    await store.insert({ table: 't', columns, rows }, 'dedup-2');
    expect(await count()).toBe(before + 4);
  });

  it('refuses a batch with a bad value as STORE_REJECTED (not retriable) and stores none of it', async () => {
    const before = await count();
    const rows = [['bad', '9', 1_800_000_000_000, 1, {}, [], null], ['bad', 'not a number', 1_800_000_000_000, 1, {}, [], null]];
    const err = await store.insert({ table: 't', columns, rows }, 'bad-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrognosError);
    expect((err as PrognosError).code).toBe('STORE_REJECTED');
    expect((err as PrognosError).retriable).toBe(false);
    expect((err as PrognosError).message).toMatch(/insert into t/);
    expect((err as PrognosError).details).toMatchObject({ clickhouseCode: '27' });
    expect(await count()).toBe(before);
  });

  it('writes one JSON array per row, separated by commas', () => {
    expect(jsonCompactEachRow([['a', 1], ['b\n,[]', null]]).toString()).toBe('["a",1],["b\\n,[]",null]');
  });
});
