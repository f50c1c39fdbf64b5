// Configuration of the store seam: a ClickHouse server over HTTP when CLICKHOUSE_URL is set, otherwise
// chDB in-process under the data directory.
import { Type, type Static } from '@sinclair/typebox';

export const storeConfigSchema = Type.Object({
  url: Type.String({ env: 'CLICKHOUSE_URL', description: 'ClickHouse HTTP(S) URL. Empty: embedded chDB under PROGNOS_DATA_DIR/chdb.', default: '' }),
  user: Type.String({ env: 'CLICKHOUSE_USER', description: 'ClickHouse user (HTTP only).', default: 'default' }),
  password: Type.String({ env: 'CLICKHOUSE_PASSWORD', description: 'ClickHouse password (HTTP only).', default: '', secret: true }),
  database: Type.String({ env: 'CLICKHOUSE_DATABASE', description: 'Database for prognos tables; created at start.', default: 'prognos', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
  embeddedConnections: Type.Integer({ env: 'CHDB_CONNECTIONS', description: 'Embedded: chDB connections inserts are spread over. One connection runs one statement at a time; inserts on different connections run in parallel, and the others wait in the process (checkpoints first).', default: 2, minimum: 1, maximum: 16 }),
  requestTimeoutMs: Type.Integer({ env: 'CLICKHOUSE_REQUEST_TIMEOUT_MS', description: 'Per-request timeout (HTTP).', default: 30_000, minimum: 100 }),
});

export type StoreConfig = Static<typeof storeConfigSchema>;
