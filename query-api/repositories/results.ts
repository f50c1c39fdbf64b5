// Reads what the processors derived: anomaly events, the latest forecast of a series and the latest
// capacity plan per series. Always filtered by the caller's tenant; ReplacingMergeTree tables are read
// with FINAL so an incident shows once, with its latest state.
import type { Store } from '../../lib/store/types.ts';

export interface AnomalyEventView {
  event_id: string;
  series_id: string;
  metric: string;
  labels: Record<string, string>;
  start: string;
  end: string | null;
  status: string;
  severity: string;
  detector: string;
  peak_score: number;
  expected: number;
  observed: number;
}

export interface ForecastView {
  issued_at: string;
  model: string;
  model_version: string;
  points: { ts: string; forecast: number; lo80: number; hi80: number; lo95: number; hi95: number }[];
}

export interface CapacityPlanView {
  series_id: string;
  metric: string;
  labels: Record<string, string>;
  issued_at: string;
  capacity: number;
  eta: string | null;
  eta80_from: string | null;
  eta80_to: string | null;
  eta95_from: string | null;
  eta95_to: string | null;
  headroom: number;
  headroom_ratio: number;
  summary: string;
}

export interface ResultsRepository {
  anomalies(tenant: string, options: { fromMs: number; toMs: number; status?: string; limit: number }): Promise<AnomalyEventView[]>;
  latestForecast(tenant: string, seriesId: string): Promise<ForecastView | undefined>;
  capacity(tenant: string, options: { metric?: string; limit: number }): Promise<CapacityPlanView[]>;
}

const iso = (ms: unknown) => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());
/** SQL for a nullable DateTime64 as epoch ms (null stays null). */
const msOrNull = (column: string) => `if(isNull(${column}), NULL, toUnixTimestamp64Milli(assumeNotNull(${column})))`;

export function createResultsRepository(store: Store): ResultsRepository {
  const labelsOf = `(SELECT series_id, anyLast(labels) AS labels FROM ${store.table('series')} WHERE tenant = {tenant:String} GROUP BY series_id)`;
  return {
    async anomalies(tenant, { fromMs, toMs, status, limit }) {
      const rows = await store.query<Record<string, unknown>>(
        `SELECT event_id, toString(series_id) AS series_id, metric, labels, toUnixTimestamp64Milli(start) AS start_ms, ${msOrNull('end')} AS end_ms,
                status, severity, detector, peak_score, expected, observed
         FROM ${store.table('anomaly_events')} FINAL
         WHERE tenant = {tenant:String} AND start >= fromUnixTimestamp64Milli({from:Int64}) AND start < fromUnixTimestamp64Milli({to:Int64})
           ${status === undefined ? '' : 'AND status = {status:String}'}
         ORDER BY start DESC LIMIT {limit:UInt32}`,
        { tenant, from: fromMs, to: toMs, limit, ...(status === undefined ? {} : { status }) },
      );
      return rows.map((r) => ({
        event_id: String(r['event_id']), series_id: String(r['series_id']), metric: String(r['metric']), labels: r['labels'] as Record<string, string>,
        start: iso(r['start_ms'])!, end: iso(r['end_ms']), status: String(r['status']), severity: String(r['severity']), detector: String(r['detector']),
        peak_score: Number(r['peak_score']), expected: Number(r['expected']), observed: Number(r['observed']),
      }));
    },
    async latestForecast(tenant, seriesId) {
      const rows = await store.query<Record<string, unknown>>(
        `SELECT toUnixTimestamp64Milli(issued_at) AS issued_ms, toUnixTimestamp64Milli(target_ts) AS target_ms, forecast, lo80, hi80, lo95, hi95, model, model_version
         FROM ${store.table('forecasts')} FINAL
         WHERE tenant = {tenant:String} AND series_id = {id:UInt64}
           AND issued_at = (SELECT max(issued_at) FROM ${store.table('forecasts')} WHERE tenant = {tenant:String} AND series_id = {id:UInt64})
         ORDER BY target_ts`,
        { tenant, id: seriesId },
      );
      const first = rows[0];
      if (!first) return undefined;
      return {
        issued_at: iso(first['issued_ms'])!, model: String(first['model']), model_version: String(first['model_version']),
        points: rows.map((r) => ({ ts: iso(r['target_ms'])!, forecast: Number(r['forecast']), lo80: Number(r['lo80']), hi80: Number(r['hi80']), lo95: Number(r['lo95']), hi95: Number(r['hi95']) })),
      };
    },
    async capacity(tenant, { metric, limit }) {
      const rows = await store.query<Record<string, unknown>>(
        `SELECT toString(p.series_id) AS series_id, p.metric AS metric, s.labels AS labels, toUnixTimestamp64Milli(p.issued_at) AS issued_ms, p.capacity AS capacity,
                ${msOrNull('p.eta')} AS eta, ${msOrNull('p.eta80_from')} AS eta80_from, ${msOrNull('p.eta80_to')} AS eta80_to,
                ${msOrNull('p.eta95_from')} AS eta95_from, ${msOrNull('p.eta95_to')} AS eta95_to, p.headroom AS headroom, p.headroom_ratio AS headroom_ratio, p.summary AS summary
         FROM (SELECT * FROM ${store.table('capacity_plans')} FINAL WHERE tenant = {tenant:String} ${metric === undefined ? '' : 'AND metric = {metric:String}'}
               ORDER BY series_id, issued_at DESC LIMIT 1 BY series_id) AS p
         LEFT JOIN ${labelsOf} AS s ON s.series_id = p.series_id
         ORDER BY isNull(eta), eta, headroom_ratio LIMIT {limit:UInt32}`,
        { tenant, limit, ...(metric === undefined ? {} : { metric }) },
      );
      return rows.map((r) => ({
        series_id: String(r['series_id']), metric: String(r['metric']), labels: (r['labels'] ?? {}) as Record<string, string>, issued_at: iso(r['issued_ms'])!,
        capacity: Number(r['capacity']), eta: iso(r['eta']), eta80_from: iso(r['eta80_from']), eta80_to: iso(r['eta80_to']), eta95_from: iso(r['eta95_from']), eta95_to: iso(r['eta95_to']),
        headroom: Number(r['headroom']), headroom_ratio: Number(r['headroom_ratio']), summary: String(r['summary']),
      }));
    },
  };
}
