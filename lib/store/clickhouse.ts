// The ClickHouse store: @clickhouse/client over HTTP, or over chDB in-process via `chdb/connection`.
// Inserts send JSONCompactEachRow rows either way; in-process they go through chDB's raw insert (one
// Buffer, settings in the statement) instead of the client's per-row stream, which the connection would
// join into one JS string and turn into session SETs: about a quarter less time per insert
// (BENCHMARKS.md). Maps failures to coded errors: transport trouble is STORE_UNAVAILABLE
// (retriable), a refused statement is STORE_REJECTED, except the server codes that mean "try again later".
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { join } from 'node:path';
import { PrognosError } from '../errors.ts';
import type { Logger } from '../observability/log.ts';
import { lockDataDir } from './data-lock.ts';
import { forgetUncommittedBlocks } from './dedup-repair.ts';
import type { StoreConfig } from './config.ts';
import type { Store, TableRows } from './types.ts';

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

/** chDB's raw insert: `values` in `format`, handed to the engine as they are. */
type RawInsert = (params: { table: string; columns: readonly string[]; values: Buffer; format: 'JSONCompactEachRow'; settings: Record<string, string | number> }) => Promise<void>;

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
  let rawInsert: RawInsert | undefined;
  let release = (): void => undefined;
  if (config.url === '') {
    const path = join(dataDir, 'chdb');
    const lock = lockDataDir(join(dataDir, 'chdb.lock'));
    release = lock.release;
    let connection: ReturnType<typeof import('chdb/connection').createChdbConnection>;
    try {
      for (const { table, parts, problem } of lock.first ? forgetUncommittedBlocks(path) : []) {
        if (problem !== undefined) log.warn({ table, problem }, 'deduplication log of a table repaired or left alone');
        if (parts.length > 0) log.warn({ table, blocks: parts.length, parts: parts.slice(0, 10) }, 'forgot deduplication records of parts not on disk (an insert cut off by a crash, or a part removed since): a replay of those inserts will be stored');
      }
      const { createChdbConnection } = await import('chdb/connection');
      connection = createChdbConnection({ path });
    } catch (err) {
      lock.release(false);
      throw err;
    }
    client = createClient({ connection: connection as never });
    rawInsert = async (params) => {
      await connection.chdb.rawInsert(params);
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
    async insert({ table, columns, rows }: TableRows, token?: string) {
      if (rows.length === 0) return;
      const settings = {
        async_insert: 0,
        // order-preserving parallel parsing pays for threads per insert; batches here are a few MiB, and the
        // cores are better spent on the next batch
        input_format_parallel_parsing: 0,
        deduplicate_blocks_in_dependent_materialized_views: 1,
        insert_deduplication_token: token ?? '', // '' (the default): deduplicate by the data's hash
      } as const;
      try {
        if (rawInsert !== undefined) {
          await rawInsert({ table: `${database}.${table}`, columns, values: jsonCompactEachRow(rows), format: 'JSONCompactEachRow', settings });
          return;
        }
        await client.insert({
          table: `${database}.${table}`,
          columns: [...columns] as [string, ...string[]],
          values: rows,
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
