// Migrations against a fake store: a fresh store gets every migration and one ledger insert, a migrated
// one gets nothing, and a failing statement records the migrations before it so a re-run resumes there.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { PrognosError } from '../errors.ts';
import { migrate, readMigrations } from './migrate.ts';
import type { Store, TableRows } from './types.ts';

const log = pino({ level: 'silent' });

/** A store whose ledger is `ledger` (versions), failing any statement that contains `failOn`. */
function fakeStore(ledger: number[], failOn?: string) {
  const commands: string[] = [];
  const inserts: TableRows[] = [];
  const store: Store = {
    kind: 'http',
    database: 'db',
    table: (name) => `db.${name}`,
    ping: async () => true,
    async command(sql) {
      if (failOn !== undefined && sql.includes(failOn)) throw new PrognosError('STORE_REJECTED', 'refused');
      commands.push(sql);
    },
    query: async <T>() => ledger.map((version) => ({ version })) as T[],
    async insert(rows) {
      inserts.push(rows);
      for (const row of rows.rows) ledger.push(row[0] as number);
    },
    close: async () => undefined,
  };
  return { store, commands, inserts };
}

const all = readMigrations('db');

describe('migrate', () => {
  it('applies every migration of a fresh store in order and records them in one insert', async () => {
    const { store, commands, inserts } = fakeStore([]);
    expect(await migrate(store, log)).toEqual(all.map((m) => m.name));
    expect(commands.slice(1)).toEqual(all.flatMap((m) => m.statements)); // after the ledger's own CREATE
    expect(inserts).toHaveLength(1);
    expect(inserts[0]!.rows.map((row) => row[0])).toEqual(all.map((m) => m.version));
    expect(inserts[0]!.rows.map((row) => row[2])).toEqual(all.map((m) => m.checksum));
  });

  it('applies nothing to a migrated store', async () => {
    const { store, commands, inserts } = fakeStore(all.map((m) => m.version));
    expect(await migrate(store, log)).toEqual([]);
    expect(commands).toHaveLength(1);
    expect(inserts).toHaveLength(0);
  });

  it('records the migrations before a failing one, and a re-run resumes at it', async () => {
    const failing = all[3]!;
    const ledger: number[] = [];
    const first = fakeStore(ledger, failing.statements[0]!);
    const err = await migrate(first.store, log).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrognosError);
    expect((err as PrognosError).code).toBe('MIGRATION_FAILED');
    expect(ledger).toEqual(all.slice(0, 3).map((m) => m.version));
    const second = fakeStore(ledger);
    expect(await migrate(second.store, log)).toEqual(all.slice(3).map((m) => m.name));
    expect(second.commands.slice(1)).toEqual(all.slice(3).flatMap((m) => m.statements));
  });
});
