// The ClickHouse store: @clickhouse/client over HTTP, or over chDB in-process via `chdb/connection`.
// Over HTTP, inserts send JSONCompactEachRow. In-process, rows go as RowBinary (row-binary.ts) through a
// file the statement reads (chDB's raw insert takes text formats only, and its inline data ends at a blank
// line, which binary data may contain); a batch that RowBinary cannot carry exactly goes through chDB's
// raw insert as JSONCompactEachRow (one Buffer, settings in the statement). Parsing text was most of an
// insert's cost (BENCHMARKS.md). Maps failures to coded errors: transport trouble is STORE_UNAVAILABLE
// (retriable), a refused statement is STORE_REJECTED, except the server codes that mean "try again later".
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PrognosError } from '../errors.ts';
import type { Logger } from '../observability/log.ts';
import { lockDataDir } from './data-lock.ts';
import { forgetUncommittedBlocks } from './dedup-repair.ts';
import type { StoreConfig } from './config.ts';
import { rowBinaryEncoder, type RowBinaryEncoder } from './row-binary.ts';
import { allRows, rowCount, type Store, type TableRows } from './types.ts';

/** ClickHouse server error codes that clear up by themselves (timeouts, overload, too many parts). */
const retriableServerCodes = new Set(['159', '164', '202', '203', '209', '210', '241', '252', '285', '319', '425', '999', '1002']);

/** chDB's errors for a statement the engine ran and refused (its ClickHouse code, when it has one, says whether to retry). */
const chdbStatementErrors = new Set(['ChdbSyntaxError', 'ChdbQueryError', 'ChdbBindError', 'ChdbInsertError']);

export function toStoreError(err: unknown, what: string): PrognosError {
  if (err instanceof PrognosError) return err;
  const code = (err as { code?: unknown }).code;
  const type = (err as { type?: unknown }).type;
  const isServerError = typeof code === 'string' && /^\d+$/.test(code) && typeof type === 'string';
  if (isServerError && !retriableServerCodes.has(code)) {
    return new PrognosError('STORE_REJECTED', `${what}: ${(err as Error).message}`, { cause: err, details: { clickhouseCode: code, clickhouseType: type } });
  }
  const name = (err as Error | undefined)?.constructor?.name ?? '';
  if (chdbStatementErrors.has(name)) {
    const chCode = (err as { clickhouseCode?: unknown }).clickhouseCode;
    // an insert that failed without a ClickHouse code failed outside the statement (no result, out of memory)
    const transient = chCode === undefined ? name === 'ChdbInsertError' : retriableServerCodes.has(String(chCode));
    const details = chCode === undefined ? {} : { details: { clickhouseCode: String(chCode) } };
    return new PrognosError(transient ? 'STORE_UNAVAILABLE' : 'STORE_REJECTED', `${what}: ${(err as Error).message}`, { cause: err, ...details });
  }
  return new PrognosError('STORE_UNAVAILABLE', `${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

type Settings = Readonly<Record<string, string | number>>;

/** In-process inserts of `rows` into `database.table`; close() removes the insert files. */
interface EmbeddedInsert {
  insert(rows: TableRows, settings: Settings): Promise<void>;
  close(): void;
}

/** A string as a single-quoted SQL literal. */
const sqlString = (s: string): string => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/** Embedded inserts opened in the process; with the pid, their files' names are unique should two ever share a directory. */
let embeddedInserts = 0;

/**
 * Rows as JSONCompactEachRow: one JSON array per row, separated by commas, which ClickHouse's reader takes
 * between rows as it takes newlines (JSONCompactEachRowFormatReader::skipRowBetweenDelimiter). So the
 * whole batch is one JSON.stringify call, not one per row: half the time, and no string per row.
 */
export function jsonCompactEachRow(rows: readonly (readonly unknown[])[]): Buffer {
  return Buffer.from(JSON.stringify(rows).slice(1, -1));
}

/**
 * Open the store chosen by `config` (HTTP when a URL is set, chDB under `dataDir` otherwise). Embedded, it
 * first locks the directory (data-lock.ts) and, at the process's first open, forgets the deduplication
 * records of inserts a crash cut off (dedup-repair.ts), logging what it repaired.
 */
export async function createClickHouseStore(config: StoreConfig, dataDir: string, log: Logger): Promise<Store> {
  let client: ClickHouseClient;
  let kind: Store['kind'];
  let embeddedInsert: EmbeddedInsert | undefined;
  let release = (): void => undefined;
  if (config.url === '') {
    const path = join(dataDir, 'chdb');
    const lock = lockDataDir(join(dataDir, 'chdb.lock'));
    const connections: ReturnType<typeof import('chdb/connection').createChdbConnection>[] = [];
    const closeAll = () => {
      for (const c of connections) void c.close(); // synchronous underneath: the session is closed on return
    };
    try {
      for (const { table, parts, problem } of lock.first ? forgetUncommittedBlocks(path) : []) {
        if (problem !== undefined) log.warn({ table, problem }, 'deduplication log of a table repaired or left alone');
        if (parts.length > 0) log.warn({ table, blocks: parts.length, parts: parts.slice(0, 10) }, 'forgot deduplication records of parts not on disk (an insert cut off by a crash, or a part removed since): a replay of those inserts will be stored');
      }
      const { createChdbConnection } = await import('chdb/connection');
      for (let i = 0; i < Math.max(1, config.embeddedConnections); i++) connections.push(createChdbConnection({ path }));
      embeddedInsert = createEmbeddedInsert(connections.map((c) => c.chdb), config.database, join(dataDir, 'inserts'), lock.first);
    } catch (err) {
      const loaded = connections.length > 0; // the engine has the directory: a later open must not repair it
      closeAll();
      lock.release(loaded);
      throw err;
    }
    client = createClient({ connection: connections[0] as never });
    const inserts = embeddedInsert;
    release = () => {
      closeAll(); // the client's own close() closes the first one as well; closing twice is a no-op
      inserts.close();
      lock.release();
    };
    kind = 'chdb';
  } else {
    client = createClient({ url: config.url, username: config.user, password: config.password, request_timeout: config.requestTimeoutMs, clickhouse_settings: { date_time_input_format: 'best_effort' } });
    kind = 'http';
  }
  const database = config.database;
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` }).catch((err: unknown) => {
    release();
    throw toStoreError(err, 'create database');
  });
  return {
    kind,
    database,
    table: (name) => `${database}.${name}`,
    async ping() {
      try {
        const result = await client.ping();
        return result.success;
      } catch {
        return false; // ping answers the question "reachable?"; the reason is logged by callers that need it
      }
    },
    async command(sql, params) {
      try {
        await client.command({ query: sql, ...(params ? { query_params: params } : {}) });
      } catch (err) {
        throw toStoreError(err, 'command');
      }
    },
    async query<T>(sql: string, params?: Record<string, unknown>) {
      try {
        const result = await client.query({ query: sql, format: 'JSONEachRow', ...(params ? { query_params: params } : {}) });
        return await result.json<T>();
      } catch (err) {
        throw toStoreError(err, 'query');
      }
    },
    async insert(rows: TableRows, token?: string) {
      if (rowCount(rows) === 0) return;
      const { table, columns } = rows;
      const settings = {
        async_insert: 0,
        // order-preserving parallel parsing pays for threads per insert; batches here are a few MiB, and the
        // cores are better spent on the next batch
        input_format_parallel_parsing: 0,
        deduplicate_blocks_in_dependent_materialized_views: 1,
        insert_deduplication_token: token ?? '', // '' (the default): deduplicate by the data's hash
      } as const;
      try {
        if (embeddedInsert !== undefined) {
          await embeddedInsert.insert(rows, settings);
          return;
        }
        await client.insert({
          table: `${database}.${table}`,
          columns: [...columns] as [string, ...string[]],
          values: allRows(rows),
          format: 'JSONCompactEachRow',
          clickhouse_settings: settings,
        });
      } catch (err) {
        throw toStoreError(err, `insert into ${table}`);
      }
    },
    async close() {
      try {
        await client.close();
      } finally {
        release();
      }
    },
  };
}

/** Inserts of at most this many rows (a checkpoint) go before waiting bulk inserts. */
const SMALL_INSERT_ROWS = 16;

/** The part of chDB's connection extension the embedded insert uses. */
export interface ChdbExtension {
  queryAsync(sql: string, opts: { format: string }): Promise<{ text(): string }>;
  rawInsert(params: { table: string; columns: readonly string[]; values: Buffer; format: 'JSONCompactEachRow'; settings: Settings }): Promise<unknown>;
}

/**
 * Embedded inserts: RowBinary written to a file under `dir` and read by `INSERT ... SELECT FROM file()`,
 * with the insert's settings (deduplication token included) on the statement; JSON through the raw insert
 * when a table's types or a batch's values are not ones RowBinary carries exactly, or when `dir`'s path
 * has characters file() would take for a pattern. Each connection has one file, written again for each
 * of its statements while it holds the connection: a file created and removed per insert cost the kernel
 * more than the write (BENCHMARKS.md, session 14). `dir` is emptied when `first` (files left by a crash);
 * close() removes the files. A table's column types are read at its first
 * insert and kept: migrations run before anything is inserted, and nothing alters tables later.
 * A statement runs on a free connection of `pool`, and waits in the process while none is (small ones first).
 */
export function createEmbeddedInsert(pool: readonly ChdbExtension[], database: string, dir: string, first: boolean): EmbeddedInsert {
  const chdb = pool[0]!; // for the column look-ups
  if (first) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // file() expands * ? { } in its path: under such a directory it would read other files, or none
  const files = !/[*?{}]/.test(resolve(dir));
  const prefix = `${process.pid}-${++embeddedInserts}`;
  const fileOf = (connection: number) => join(dir, `${prefix}-${connection}.bin`);
  const targets = new Map<string, Promise<{ encode: RowBinaryEncoder; structure: string } | undefined>>();
  const target = (table: string, columns: readonly string[]) => {
    const key = `${table}(${columns.join(',')})`;
    let found = targets.get(key);
    if (found === undefined) {
      found = (async () => {
        const sql = `SELECT name, type FROM system.columns WHERE database = ${sqlString(database)} AND table = ${sqlString(table)}`;
        const text = (await chdb.queryAsync(sql, { format: 'JSONEachRow' })).text();
        const types = new Map(text.split('\n').filter((line) => line !== '').map((line) => {
          const { name, type } = JSON.parse(line) as { name: string; type: string };
          return [name, type] as const;
        }));
        const ordered = columns.map((c) => types.get(c));
        if (ordered.some((t) => t === undefined)) return undefined; // JSON, and ClickHouse's error for the missing column
        const encode = rowBinaryEncoder(ordered as string[]);
        return encode && { encode, structure: columns.map((c, i) => `${c} ${ordered[i]!}`).join(', ') };
      })();
      found.catch(() => targets.delete(key)); // a failed look-up is tried again with the next batch
      targets.set(key, found);
    }
    return found;
  };
  // Statements wait here, not in chDB: one waiting on a busy connection would hold a libuv thread, and
  // with every thread held the file writes of the next inserts could not run.
  const idle = pool.map((_, i) => i);
  const waiting: { small: ((i: number) => void)[]; bulk: ((i: number) => void)[] } = { small: [], bulk: [] };
  /** A free connection for `run`; small statements (checkpoints) go before waiting bulk inserts. */
  const use = async <T>(run: (chdb: ChdbExtension, file: string) => Promise<T>, small: boolean): Promise<T> => {
    const i = idle.shift() ?? (await new Promise<number>((resolve) => waiting[small ? 'small' : 'bulk'].push(resolve)));
    try {
      return await run(pool[i]!, fileOf(i));
    } finally {
      const next = waiting.small.shift() ?? waiting.bulk.shift();
      if (next === undefined) idle.push(i);
      else next(i);
    }
  };
  const insert = async (rows: TableRows, settings: Settings): Promise<void> => {
    const { table, columns } = rows;
    const count = rowCount(rows);
    const small = count <= SMALL_INSERT_ROWS;
    const to = files ? await target(table, columns) : undefined;
    const body = to?.encode(rows.rows, rows.runs);
    if (to === undefined || body === undefined) {
      await use((c) => c.rawInsert({ table: `${database}.${table}`, columns, values: jsonCompactEachRow(allRows(rows)), format: 'JSONCompactEachRow', settings }), small);
      return;
    }
    const options = Object.entries({
      ...settings,
      // read the file in blocks of the size the JSON insert forms (max_insert_block_size), so a batch has
      // the same block ids either way and a replay of a batch first sent as JSON is still deduplicated
      max_block_size: Math.min(count, 1_048_576),
      // file() counts as a source that may change, so without a token an INSERT SELECT from it is never
      // deduplicated; these rows are the insert's own, as they are in a JSON insert
      deduplicate_insert_select: 'enable_even_for_bad_queries',
      max_threads: 1, // one block needs no more, and the cores are better spent on the next batch
    }).map(([k, v]) => `${k} = ${typeof v === 'number' ? v : sqlString(v)}`);
    const statement = async (c: ChdbExtension, file: string) => {
      // Written here, synchronously: awaiting the write held the connection idle until the event loop
      // came round again, which a large batch being handled could delay by 100+ ms (BENCHMARKS.md)
      writeFileSync(file, body); // the same file (and inode) for every statement of this connection
      return c.queryAsync(`INSERT INTO ${database}.${table} (${columns.join(', ')}) SELECT * FROM file(${sqlString(file)}, 'RowBinary', ${sqlString(to.structure)}) SETTINGS ${options.join(', ')}`, { format: 'CSV' });
    };
    await use(statement, small).catch((err: unknown) => {
      // a failure without a ClickHouse code happened outside the statement, as for a raw insert: retriable
      if ((err as { clickhouseCode?: unknown } | undefined)?.clickhouseCode !== undefined) throw err;
      throw new PrognosError('STORE_UNAVAILABLE', `insert into ${table}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    });
  };
  return {
    insert,
    close: () => {
      for (let i = 0; i < pool.length; i++) rmSync(fileOf(i), { force: true });
    },
  };
}
