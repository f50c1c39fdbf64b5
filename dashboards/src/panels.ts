// Dashboards as code: the panels of the prognos Grafana dashboards, each one ClickHouse SQL query for the
// grafana-clickhouse-datasource plugin. Queries use only $__fromTime, $__toTime, $__interval_s and the
// ${tenant} variable, so the test can expand them and run every one against chDB with seeded data.

/** One panel: its title, Grafana visualisation, grid position and SQL. */
export interface PanelSpec {
  title: string;
  type: 'timeseries' | 'table' | 'stat';
  description: string;
  gridPos: { x: number; y: number; w: number; h: number };
  /** 0 = time series (time column first), 1 = table. */
  format: 0 | 1;
  sql: string;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  panels: PanelSpec[];
}

const db = 'prognos';

export const overview: DashboardSpec = {
  uid: 'prognos-overview',
  title: 'prognos: fleet overview',
  description: 'What the pipeline ingests, what looks anomalous, what runs out when. Tenant from the ${tenant} variable.',
  panels: [
    {
      title: 'Samples stored per minute', type: 'timeseries', format: 0, gridPos: { x: 0, y: 0, w: 12, h: 7 },
      description: 'From the 1-minute rollup: every sample accepted by the samples processor.',
      sql: `SELECT bucket AS time, sum(count) AS samples FROM ${db}.samples_1m WHERE tenant = '\${tenant}' AND bucket >= $__fromTime AND bucket < $__toTime GROUP BY time ORDER BY time`,
    },
    {
      title: 'Open anomalies', type: 'stat', format: 1, gridPos: { x: 12, y: 0, w: 4, h: 7 },
      description: 'Incidents currently open (FINAL: the latest row of each event).',
      sql: `SELECT count() AS open FROM ${db}.anomaly_events FINAL WHERE tenant = '\${tenant}' AND status = 'open'`,
    },
    {
      title: 'Dead letters by reason', type: 'table', format: 1, gridPos: { x: 16, y: 0, w: 8, h: 7 },
      description: 'Input refused in the time range, with the reason; the payloads are in prognos.dead_letters.',
      sql: `SELECT reason, count() AS records, max(received_at) AS last_seen FROM ${db}.dead_letters WHERE tenant = '\${tenant}' AND received_at >= $__fromTime AND received_at < $__toTime GROUP BY reason ORDER BY records DESC`,
    },
    {
      title: 'CPU by host, with the expected band', type: 'timeseries', format: 0, gridPos: { x: 0, y: 7, w: 24, h: 9 },
      description: 'Observed mean per step against the anomaly baseline (expected, lower, upper) of the same minutes.',
      sql: `SELECT toStartOfInterval(r.bucket, toIntervalSecond(greatest($__interval_s, 60))) AS time, s.host AS host,
  sum(r.sum) / sum(r.count) AS observed, avg(b.expected) AS expected, avg(b.lower) AS lower, avg(b.upper) AS upper
FROM ${db}.samples_1m AS r
INNER JOIN (SELECT series_id, anyLast(labels)['host'] AS host FROM ${db}.series WHERE tenant = '\${tenant}' AND metric = 'cpu_utilization' GROUP BY series_id) AS s ON s.series_id = r.series_id
LEFT JOIN (SELECT series_id, bucket, expected, lower, upper FROM ${db}.baselines FINAL WHERE tenant = '\${tenant}') AS b ON b.series_id = r.series_id AND b.bucket = r.bucket
WHERE r.tenant = '\${tenant}' AND r.bucket >= $__fromTime AND r.bucket < $__toTime
GROUP BY time, host ORDER BY time, host`,
    },
    {
      title: 'Anomaly events', type: 'table', format: 1, gridPos: { x: 0, y: 16, w: 24, h: 8 },
      description: 'Incidents that started in the time range, newest first: one row per incident.',
      sql: `SELECT start, end, status, severity, metric, labels['host'] AS host, detector, round(peak_score, 3) AS peak_score, expected, observed
FROM ${db}.anomaly_events FINAL WHERE tenant = '\${tenant}' AND start >= $__fromTime AND start < $__toTime ORDER BY start DESC LIMIT 200`,
    },
  ],
};

export const capacity: DashboardSpec = {
  uid: 'prognos-capacity',
  title: 'prognos: forecasts and capacity',
  description: 'What runs out when, how sure we are, and how good the forecasts have been.',
  panels: [
    {
      title: 'Time to exhaustion', type: 'table', format: 1, gridPos: { x: 0, y: 0, w: 24, h: 8 },
      description: 'Latest capacity plan per series, soonest exhaustion first.',
      sql: `SELECT metric, series_id, issued_at, eta, eta80_from, eta80_to, round(headroom_ratio * 100, 1) AS headroom_pct, summary
FROM (SELECT * FROM ${db}.capacity_plans FINAL WHERE tenant = '\${tenant}' ORDER BY series_id, issued_at DESC LIMIT 1 BY series_id)
ORDER BY isNull(eta), eta, headroom_pct`,
    },
    {
      title: 'Disk used: actual and 48 h forecast with 80% and 95% intervals', type: 'timeseries', format: 0, gridPos: { x: 0, y: 8, w: 24, h: 9 },
      description: 'Hourly actuals and the latest forecast of each disk series.',
      sql: `SELECT time, series, value FROM (
  SELECT r.bucket AS time, concat(s.host, ' actual') AS series, sum(r.sum) / sum(r.count) AS value
  FROM ${db}.samples_1h AS r INNER JOIN (SELECT series_id, anyLast(labels)['host'] AS host FROM ${db}.series WHERE tenant = '\${tenant}' AND metric = 'disk_used_bytes' GROUP BY series_id) AS s ON s.series_id = r.series_id
  WHERE r.tenant = '\${tenant}' AND r.bucket >= $__fromTime AND r.bucket < $__toTime GROUP BY time, series
  UNION ALL
  SELECT toDateTime(f.target_ts) AS time, concat(s.host, ' ', k.1) AS series, k.2 AS value
  FROM (SELECT * FROM ${db}.forecasts FINAL WHERE tenant = '\${tenant}' AND (series_id, issued_at) IN (SELECT series_id, max(issued_at) FROM ${db}.forecasts WHERE tenant = '\${tenant}' GROUP BY series_id)) AS f
  INNER JOIN (SELECT series_id, anyLast(labels)['host'] AS host FROM ${db}.series WHERE tenant = '\${tenant}' AND metric = 'disk_used_bytes' GROUP BY series_id) AS s ON s.series_id = f.series_id
  ARRAY JOIN [('forecast', f.forecast), ('lo80', f.lo80), ('hi80', f.hi80), ('lo95', f.lo95), ('hi95', f.hi95)] AS k
) ORDER BY time, series`,
    },
    {
      title: 'Forecast error by horizon (MAPE %) and 95% coverage', type: 'table', format: 1, gridPos: { x: 0, y: 17, w: 24, h: 8 },
      description: 'Realised error of issued forecasts whose target hour has passed, by hours ahead and model.',
      sql: `SELECT step, model, count() AS forecasts, round(avg(ape) * 100, 2) AS mape_pct, round(avg(inside95), 3) AS coverage95
FROM ${db}.forecast_accuracy WHERE tenant = '\${tenant}' AND issued_at >= $__fromTime AND issued_at < $__toTime GROUP BY step, model ORDER BY step, model`,
    },
  ],
};

export const dashboards: DashboardSpec[] = [overview, capacity];
