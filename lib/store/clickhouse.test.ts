// How store failures map to coded errors: chDB's refusals by their ClickHouse code (retry the codes that
// clear up by themselves), HTTP server errors likewise, anything else as the store being unavailable. And
// how the embedded insert uses its connections and files (stand-in connections; chDB itself in the
// integration tests).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createEmbeddedInsert, toStoreError, type ChdbExtension } from './clickhouse.ts';

// stand-ins named like chDB's error classes (the mapping reads the class name and clickhouseCode)
class ChdbInsertError extends Error {
  constructor(message: string, readonly clickhouseCode?: number) {
    super(message);
  }
}
class ChdbSyntaxError extends Error {}

describe('toStoreError', () => {
  it('maps a chDB refusal to STORE_REJECTED, with its ClickHouse code', () => {
    const err = toStoreError(new ChdbInsertError('Cannot parse input', 27), 'insert into t');
    expect(err.code).toBe('STORE_REJECTED');
    expect(err.retriable).toBe(false);
    expect(err.details).toEqual({ clickhouseCode: '27' });
    expect(err.message).toBe('insert into t: Cannot parse input');
    expect(toStoreError(new ChdbSyntaxError('Syntax error'), 'query').code).toBe('STORE_REJECTED');
  });

  it('maps a chDB error whose code clears up by itself (too many parts) to STORE_UNAVAILABLE, retriable', () => {
    const err = toStoreError(new ChdbInsertError('Too many parts', 252), 'insert into t');
    expect(err.code).toBe('STORE_UNAVAILABLE');
    expect(err.retriable).toBe(true);
  });

  it('maps a chDB insert that failed without a ClickHouse code (no result, out of memory) to STORE_UNAVAILABLE, retriable', () => {
    const err = toStoreError(new ChdbInsertError('chdb query returned a null result'), 'insert into t');
    expect(err.code).toBe('STORE_UNAVAILABLE');
    expect(err.retriable).toBe(true);
  });

  it('maps an HTTP server error by its code, and anything else to STORE_UNAVAILABLE', () => {
    const server = (code: string) => Object.assign(new Error('server said no'), { code, type: 'SOME_TYPE' });
    expect(toStoreError(server('60'), 'query').code).toBe('STORE_REJECTED');
    expect(toStoreError(server('159'), 'query').code).toBe('STORE_UNAVAILABLE');
    expect(toStoreError(new Error('socket hang up'), 'query').code).toBe('STORE_UNAVAILABLE');
  });
});

describe('createEmbeddedInsert', () => {
  /** Connection stand-ins: column look-ups answer at once, each insert statement waits to be let go. */
  function connections(n: number) {
    const statements: { connection: number; sql: string; file: string; data: string; go: () => void }[] = [];
    const pool = Array.from({ length: n }, (_, connection): ChdbExtension => ({
      async queryAsync(sql) {
        if (sql.startsWith('SELECT name, type FROM system.columns')) return { text: () => '{"name":"x","type":"UInt8"}\n{"name":"s","type":"String"}\n' };
        const file = /file\('([^']+)'/.exec(sql)?.[1] ?? '';
        const data = readFileSync(file).toString('hex'); // what the statement reads
        await new Promise<void>((go) => statements.push({ connection, sql, file, data, go }));
        return { text: () => '' };
      },
      rawInsert: () => Promise.reject(new Error('no JSON insert expected')),
  }));
    return { pool, statements };
  }
  /** Runs `test` with a fresh temporary directory, removed afterwards. */
  const inTempDir = async (test: (dir: string) => Promise<void> | void) => {
    const dir = mkdtempSync(join(tmpdir(), 'prognos-inserts-'));
    try {
      await test(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('runs one statement per connection; the others wait in the process, small ones (checkpoints) first', () => inTempDir(async (dir) => {
    const { pool, statements } = connections(2);
    const { insert, close } = createEmbeddedInsert(pool, 'db', dir, false);
    const settings = { insert_deduplication_token: "run|it's", async_insert: 0 };
    const bulk = (x: number) => insert({ table: 't', columns: ['x', 's'], rows: Array.from({ length: 20 }, () => [x, 'a']) }, settings);
    const inserts = [bulk(1), bulk(2), bulk(3)];
    await vi.waitFor(() => expect(statements).toHaveLength(2));
    expect(statements.map((s) => s.connection)).toEqual([0, 1]);
    expect(readdirSync(dir)).toHaveLength(2); // a file per connection: the third insert's rows wait in the process
    expect(statements.map((s) => s.data)).toEqual([1, 2].map((x) => `0${x}0161`.repeat(20)));
    expect(statements[0]!.sql).toMatch(
      /^INSERT INTO db\.t \(x, s\) SELECT \* FROM file\('.+\.bin', 'RowBinary', 'x UInt8, s String'\) SETTINGS insert_deduplication_token = 'run\|it\\'s', async_insert = 0, max_block_size = 20, deduplicate_insert_select = 'enable_even_for_bad_queries', max_threads = 1$/,
    );
    const checkpoint = insert({ table: 't', columns: ['x', 's'], rows: [[9, 'c']] }, settings);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(statements).toHaveLength(2);
    statements[1]!.go(); // connection 1 is free again once its insert returns: the small one goes first
    await vi.waitFor(() => expect(statements).toHaveLength(3));
    expect(statements[2]).toMatchObject({ connection: 1, file: statements[1]!.file, data: '090163', sql: expect.stringContaining('max_block_size = 1,') }); // its file, written again
    statements[0]!.go();
    await vi.waitFor(() => expect(statements).toHaveLength(4));
    expect(statements[3]).toMatchObject({ connection: 0, file: statements[0]!.file, data: '030161'.repeat(20), sql: expect.stringContaining('max_block_size = 20,') });
    for (const s of statements) s.go();
    await Promise.all([...inserts, checkpoint]);
    expect(readdirSync(dir)).toHaveLength(2);
    close();
    expect(readdirSync(dir)).toEqual([]);
  }));

  it('makes a failure without a ClickHouse code retriable (it happened outside the statement), and passes a refusal on', () => inTempDir(async (dir) => {
    const failing = (err: Error): ChdbExtension => ({
      queryAsync: (sql) => (sql.startsWith('SELECT name') ? Promise.resolve({ text: () => '{"name":"x","type":"UInt8"}\n' }) : Promise.reject(err)),
      rawInsert: () => Promise.reject(new Error('no JSON insert expected')),
    });
    const { insert } = createEmbeddedInsert([failing(new Error('chdb query returned a null result'))], 'db', dir, false);
    const codeless = await insert({ table: 't', columns: ['x'], rows: [[1]] }, {}).catch((e: unknown) => e);
    expect(codeless).toMatchObject({ code: 'STORE_UNAVAILABLE', retriable: true, message: 'insert into t: chdb query returned a null result' });
    expect(await insert({ table: 't', columns: ['x'], rows: [[2]] }, {}).catch((e: unknown) => e)).toMatchObject({ code: 'STORE_UNAVAILABLE' }); // the failed statement freed its connection
    const refusal = Object.assign(new Error('Too many columns'), { clickhouseCode: 20 });
    expect(await createEmbeddedInsert([failing(refusal)], 'db', dir, false).insert({ table: 't', columns: ['x'], rows: [[1]] }, {}).catch((e: unknown) => e)).toBe(refusal);
  }));

  it('sends JSON when its directory has characters file() takes for a pattern', () => inTempDir(async (root) => {
    const sent: string[] = [];
    const chdb: ChdbExtension = {
      queryAsync: () => Promise.reject(new Error('no statement expected')),
      rawInsert: (params) => {
        sent.push(params.values.toString());
        return Promise.resolve();
      },
    };
    await createEmbeddedInsert([chdb], 'db', join(root, 'data{1,2}', 'inserts'), true).insert({ table: 't', columns: ['x'], rows: [[1]] }, {});
    expect(sent).toEqual(['[1]']);
  }));

  it('empties its directory at the first open only (files a crash left behind)', () => inTempDir((dir) => {
    writeFileSync(join(dir, '1-1.bin'), 'left by a crash');
    createEmbeddedInsert(connections(1).pool, 'db', dir, false);
    expect(readdirSync(dir)).toEqual(['1-1.bin']); // another store of this process may be using it
    createEmbeddedInsert(connections(1).pool, 'db', dir, true);
    expect(readdirSync(dir)).toEqual([]);
  }));
});
