// Reads series and their points from the store, always filtered by the caller's tenant. Picks the
// cheapest source for a step: raw samples, the 1-minute or the 1-hour rollup.
import type { Store } from '../../lib/store/types.ts';

export interface SeriesInfo {
  id: string;
  metric: string;
  labels: Record<string, string>;
  kind: string;
  source: string;
  first_seen: string;
  last_seen: string;
  samples: number;
}

export interface Point {
  ts: string;
  value: number;
  min?: number;
  max?: number;
  count?: number;
}

export type PointSource = 'samples' | 'samples_1m' | 'samples_1h';

export interface SeriesRepository {
  list(tenant: string, options: { metric?: string; limit: number; offset: number }): Promise<SeriesInfo[]>;
  get(tenant: string, id: string): Promise<SeriesInfo | undefined>;
  points(tenant: string, id: string, fromMs: number, toMs: number, stepSeconds: number, limit: number): Promise<{ source: PointSource; points: Point[] }>;
}

/** The rollup table that serves `stepSeconds` exactly (raw when 0). */
export function sourceForStep(stepSeconds: number): PointSource {
  if (stepSeconds === 0) return 'samples';
  if (stepSeconds % 3600 === 0) return 'samples_1h';
  if (stepSeconds % 60 === 0) return 'samples_1m';
  return 'samples';
}

const iso = (ms: number) => new Date(ms).toISOString();

export function createSeriesRepository(store: Store): SeriesRepository {
  const seriesSelect = `SELECT toString(series_id) AS id, anyLast(metric) AS metric, anyLast(labels) AS labels, anyLast(kind) AS kind, anyLast(source) AS source,
      toUnixTimestamp64Milli(min(first_seen)) AS first_ms, toUnixTimestamp64Milli(max(last_seen)) AS last_ms, sum(samples) AS samples
    FROM ${store.table('series')}`;
  type Row = Omit<SeriesInfo, 'first_seen' | 'last_seen' | 'samples'> & { first_ms: string | number; last_ms: string | number; samples: string | number };
  const toInfo = (row: Row): SeriesInfo => ({ id: row.id, metric: row.metric, labels: row.labels, kind: row.kind, source: row.source, first_seen: iso(Number(row.first_ms)), last_seen: iso(Number(row.last_ms)), samples: Number(row.samples) });
  return {
    async list(tenant, { metric, limit, offset }) {
      const where = metric === undefined ? '' : ' AND metric = {metric:String}';
      const rows = await store.query<Row>(`${seriesSelect} WHERE tenant = {tenant:String} GROUP BY series_id HAVING 1${where} ORDER BY metric, id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`, { tenant, limit, offset, ...(metric === undefined ? {} : { metric }) });
      return rows.map(toInfo);
    },
    async get(tenant, id) {
      const rows = await store.query<Row>(`${seriesSelect} WHERE tenant = {tenant:String} AND series_id = {id:UInt64} GROUP BY series_id`, { tenant, id });
      return rows[0] && toInfo(rows[0]);
    },
    async points(tenant, id, fromMs, toMs, stepSeconds, limit) {
      const source = sourceForStep(stepSeconds);
      const params = { tenant, id, from: fromMs, to: toMs, step: stepSeconds, limit };
      if (stepSeconds === 0) {
        const rows = await store.query<{ t: string | number; v: number }>(
          `SELECT toUnixTimestamp64Milli(ts) AS t, any(value) AS v FROM ${store.table('samples')}
           WHERE tenant = {tenant:String} AND series_id = {id:UInt64} AND ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({to:Int64})
           GROUP BY ts ORDER BY ts LIMIT {limit:UInt32}`, params);
        return { source, points: rows.map((r) => ({ ts: iso(Number(r.t)), value: r.v })) };
      }
      const bucket = source === 'samples' ? 'ts' : 'bucket';
      const table = store.table(source);
      const aggregates = source === 'samples' ? 'count() AS c, sum(value) AS s, min(value) AS mn, max(value) AS mx' : 'sum(count) AS c, sum(sum) AS s, min(min) AS mn, max(max) AS mx';
      const rows = await store.query<{ t: string | number; c: string | number; s: number; mn: number; mx: number }>(
        `SELECT toUnixTimestamp(toStartOfInterval(${bucket}, toIntervalSecond({step:UInt32}))) * 1000 AS t, ${aggregates} FROM ${table}
         WHERE tenant = {tenant:String} AND series_id = {id:UInt64}
           AND ${bucket} >= toStartOfInterval(fromUnixTimestamp64Milli({from:Int64}), toIntervalSecond({step:UInt32})) AND ${bucket} < fromUnixTimestamp64Milli({to:Int64})
         GROUP BY t ORDER BY t LIMIT {limit:UInt32}`, params);
      return { source, points: rows.map((r) => ({ ts: iso(Number(r.t)), value: r.s / Number(r.c), min: r.mn, max: r.mx, count: Number(r.c) })) };
    },
  };
}
