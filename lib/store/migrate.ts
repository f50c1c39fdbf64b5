// Applies schemas/clickhouse/NNN_<verb>_<object>.sql in order, once each, recording them in
// schema_migrations. Every statement is idempotent (IF NOT EXISTS), so a crash mid-migration is safe to
// re-run. Does not roll back or edit applied migrations: fix forward with a new file.
import { readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { PrognosError } from '../errors.ts';
import type { Logger } from '../observability/log.ts';
import type { Store } from './types.ts';

const migrationsDir = new URL('../../schemas/clickhouse/', import.meta.url);

export interface Migration {
  version: number;
  name: string;
  statements: string[];
  checksum: string;
}

/** Read and split the migration files, in version order. */
export function readMigrations(db: string): Migration[] {
  return readdirSync(migrationsDir)
    .filter((file) => /^\d{3}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const text = readFileSync(new URL(file, migrationsDir), 'utf8');
      const statements = text
        .split(/;\s*$/m)
        .map((part) => part.replace(/^\s*--.*$/gm, '').trim())
        .filter((part) => part !== '')
        .map((part) => part.replaceAll('{db}', db));
      return { version: Number(file.slice(0, 3)), name: file, statements, checksum: createHash('sha256').update(text).digest('hex').slice(0, 16) };
    });
}

/** Bring the store's schema up to date. Returns the names applied now. */
export async function migrate(store: Store, log: Logger): Promise<string[]> {
  const ledger = store.table('schema_migrations');
  try {
    await store.command(`CREATE TABLE IF NOT EXISTS ${ledger} (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC')) ENGINE = ReplacingMergeTree ORDER BY version`);
    const applied = new Set((await store.query<{ version: number }>(`SELECT version FROM ${ledger} FINAL`)).map((row) => Number(row.version)));
    const done: string[] = [];
    const rows: unknown[][] = [];
    // One ledger insert for all the migrations applied now (an insert costs a part: 13 of them were a third
    // of a fresh start); a failure records the ones applied before it. Re-running one is harmless.
    const record = () => (rows.length === 0 ? Promise.resolve() : store.insert({ table: 'schema_migrations', columns: ['version', 'name', 'checksum', 'applied_at'], rows }));
    try {
      for (const migration of readMigrations(store.database)) {
        if (applied.has(migration.version)) continue;
        for (const statement of migration.statements) await store.command(statement);
        rows.push([migration.version, migration.name, migration.checksum, Date.now()]);
        log.info({ migration: migration.name }, 'applied migration');
        done.push(migration.name);
      }
    } catch (cause) {
      await record().catch(() => undefined); // the migration's own failure is the one to report
      throw cause;
    }
    await record();
    return done;
  } catch (cause) {
    throw new PrognosError('MIGRATION_FAILED', `schema migration failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause, retriable: cause instanceof PrognosError && cause.retriable });
  }
}
