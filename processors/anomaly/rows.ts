// Maps closed baseline minutes and anomaly events to `baselines` and `anomaly_events` rows and to
// AlertEvent messages (times as epoch ms, the bucket as epoch seconds). Does not score or decide when.
import type { AnomalyEvent } from '../../models/anomaly/events.ts';
import type { BusMessage } from '../../lib/runner/types.ts';
import type { AlertEvent, AlertSeverity } from './alert-event.ts';
import type { BucketState, SeriesState } from './state.ts';

export const baselineColumns = ['tenant', 'series_id', 'bucket', 'transform', 'expected', 'lower', 'upper', 'max_score', 'points'];
export const eventColumns = [
  'tenant', 'series_id', 'metric', 'labels', 'transform', 'event_id', 'start', 'end', 'peak_score', 'severity',
  'expected', 'observed', 'detector', 'status', 'version',
];

export const MINUTE_MS = 60_000;

/** Rows and messages accumulated over one handle() call. */
export interface Output {
  baselines: unknown[][];
  events: unknown[][];
  alerts: AlertEvent[];
}

/** The baseline row of a closed minute: means of the per-point expected value and band. */
export function baselineRow(s: SeriesState, seriesId: string, b: BucketState): unknown[] {
  return [s.tenant, seriesId, b.start / 1000, s.transform, b.sumExpected / b.points, b.sumLower / b.points, b.sumUpper / b.points, b.maxScore, b.points];
}

/**
 * Labels with their keys in sorted order. The series id hashes the sorted labels, so records may carry one
 * series' labels in any order; rows and alerts carry one order whichever record produced them.
 */
function sortedLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) out[k] = labels[k] ?? '';
  return out;
}

/** Stable per incident: a series has at most one event starting at a given time. */
export const eventId = (seriesId: string, startMs: number): string => `${seriesId}:${startMs}`;

/**
 * An `anomaly_events` row. The open row (end null) and the resolved row share the sorting key; `version`
 * is the event time of the point that produced the row, so the resolved row replaces the open one.
 */
export function eventRow(s: SeriesState, seriesId: string, e: AnomalyEvent, status: 'open' | 'resolved', version: number): unknown[] {
  return [
    s.tenant, seriesId, s.metric, sortedLabels(s.labels), s.transform, eventId(seriesId, e.start_ms), e.start_ms, status === 'open' ? null : e.end_ms,
    e.peak_score, e.severity, e.expected, e.observed, e.detector, status, version,
  ];
}

const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toPrecision(4));

function seriesText(s: SeriesState, labels: Readonly<Record<string, string>>): string {
  const text = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');
  return `${s.metric}{${text}}${s.transform === 'rate' ? ' rate/s' : ''}`;
}

/** The alert for an event opening (trigger) or closing (resolve). */
export function alertOf(s: SeriesState, seriesId: string, e: AnomalyEvent, action: 'trigger' | 'resolve'): AlertEvent {
  const labels = sortedLabels(s.labels);
  const what = `${e.detector} on ${seriesText(s, labels)}: observed ${fmt(e.observed)}, expected ${fmt(e.expected)} (score ${e.peak_score.toFixed(2)})`;
  const summary = action === 'trigger' ? what : `resolved after ${fmt((e.end_ms - e.start_ms) / MINUTE_MS)} min: ${what}`;
  const severity: AlertSeverity = e.severity;
  return {
    tenant: s.tenant, source: 'anomaly', dedup_key: eventId(seriesId, e.start_ms), action, severity, summary, series_id: seriesId,
    metric: s.metric, labels, start_ms: e.start_ms, end_ms: action === 'trigger' ? null : e.end_ms,
    peak_score: e.peak_score, expected: e.expected, observed: e.observed, detector: e.detector,
  };
}

/** Bus messages for the alerts, keyed tenant/series_id so one series' alerts stay in order. */
export function alertMessages(alerts: readonly AlertEvent[], topic: string, encode: (a: AlertEvent) => Buffer): BusMessage[] {
  return alerts.map((a) => ({ topic, key: `${a.tenant}/${a.series_id}`, value: encode(a) }));
}
