// The store seam: the few operations processors, the runner and the API need from ClickHouse. One
// implementation (@clickhouse/client) serves both deployments; the transport is HTTP or in-process chDB.

/** Column-ordered rows for one table, as JSONCompactEachRow sends them. */
export interface TableRows {
  table: string;
  columns: readonly string[];
  rows: unknown[][];
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
