// The forecast_history look-up against chDB: exact means, UInt64 ids above 2^63, each series' own
// range (not the chunk's), and more series than one query takes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClickHouseStore } from '../../lib/store/clickhouse.ts';
import type { Store } from '../../lib/store/types.ts';
import { migrate } from '../../lib/store/migrate.ts';
import { createHistoryLookup } from './history-store.ts';
import type { HistoryRow } from './history.ts';

const H = 3_600_000;
const t0 = Math.floor(Date.now() / H) * H - 500 * H;
const dir = mkdtempSync(join(tmpdir(), 'prognos-fh-'));
let store: Store;
beforeAll(async () => {
  store = await createClickHouseStore({ url: '', user: '', password: '', database: 'fh', embeddedConnections: 2, requestTimeoutMs: 30_000 }, dir, pino({ level: 'silent' }));
  await migrate(store, pino({ level: 'silent' }));
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

it('reads back exactly the stored means of each series in its own range', async () => {
  const ids = ['1', '9223372036854775807', '9223372036854775808', '18446744073709551615', ...Array.from({ length: 1500 }, (_, k) => String(10n ** 19n + BigInt(k)))];
  const bits = new DataView(new ArrayBuffer(8));
  let seed = 7;
  const word = () => (seed = (seed * 48271) % 2147483647) * 2;
  const rows: unknown[][] = [];
  const want = new Map<string, number>();
  for (const [n, id] of ids.entries()) {
    for (let h = 0; h < (n < 4 ? 400 : 6); h++) {
      bits.setUint32(0, word() & 0x7fefffff);
      bits.setUint32(4, word());
      const mean = bits.getFloat64(0);
      rows.push(['t', id, t0 + h * H, mean]);
      want.set(`${id}|${t0 + h * H}`, mean);
    }
  }
  await store.insert({ table: 'forecast_history', columns: ['tenant', 'series_id', 'hour', 'mean'], rows });
  // every series its own range: [n % 3, n % 3 + 3) hours, the first four [10, 390)
  const ranges = ids.map((seriesId, n) => (n < 4 ? { seriesId, from: t0 + 10 * H, to: t0 + 390 * H } : { seriesId, from: t0 + (n % 3) * H, to: t0 + ((n % 3) + 3) * H }));
  const got = (await createHistoryLookup(store)({ ranges })) as HistoryRow[];
  const expected = ranges.flatMap(({ seriesId, from, to }) => Array.from({ length: (to - from) / H }, (_, k) => `${seriesId}|${from + k * H}`));
  expect(got.map(([id, hour]) => `${id}|${hour}`).sort()).toEqual(expected.sort());
  expect(got.filter(([id, hour, mean]) => !Object.is(want.get(`${id}|${hour}`), mean))).toEqual([]);
});
