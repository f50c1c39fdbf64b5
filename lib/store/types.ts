// The store seam: the few operations processors, the runner and the API need from ClickHouse. One
// implementation (@clickhouse/client) serves both deployments; the transport is HTTP or in-process chDB.

/**
 * Rows that share their leading values, held without a row array each: `head` holds the leading columns'
 * values once, `tail` one array per remaining column, all of one length. Row i is head, then tail[c][i].
 * The samples processor passes its decoded timestamp and value arrays this way (no copy, no garbage).
 */
export interface RowRun {
  head: readonly unknown[];
  tail: readonly (readonly unknown[])[];
}

/** Column-ordered rows for one table, as JSONCompactEachRow sends them: `rows`, then the rows of `runs`. */
export interface TableRows {
  table: string;
  columns: readonly string[];
  rows: unknown[][];
  runs?: readonly RowRun[];
}

/** How many rows `run` stands for; undefined when its tail columns differ in length. */
export function runLength(run: RowRun): number | undefined {
  const n = run.tail[0]?.length ?? 0;
  return run.tail.every((column) => column.length === n) ? n : undefined;
}

/** How many rows `t` holds, runs included. */
export function rowCount(t: TableRows): number {
  let n = t.rows.length;
  for (const run of t.runs ?? []) n += run.tail[0]?.length ?? 0;
  return n;
}

/** Every row of `t` as an array of values, runs expanded (for JSON and for tests). */
export function allRows(t: TableRows): unknown[][] {
  if (t.runs === undefined || t.runs.length === 0) return t.rows;
  const out = t.rows.slice();
  for (const run of t.runs) {
    const n = runLength(run);
    if (n === undefined) throw new Error(`a run for ${t.table} has columns of different lengths`);
    for (let i = 0; i < n; i++) out.push([...run.head, ...run.tail.map((column) => column[i])]);
  }
  return out;
}

export interface Store {
  readonly kind: 'chdb' | 'http';
  /** Database holding prognos tables; every statement qualifies names with it. */
  readonly database: string;
  /** `database.name`, quoted for SQL. */
  table(name: string): string;
  ping(): Promise<boolean>;
  command(sql: string, params?: Record<string, unknown>): Promise<void>;
  query<T>(sql: string, params?: Record<string, unknown>): Promise<T[]>;
  /** Insert; `token` makes a repeated insert of the same rows a no-op (deduplication window). */
  insert(rows: TableRows, token?: string): Promise<void>;
  close(): Promise<void>;
}
