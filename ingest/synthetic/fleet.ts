// The synthetic fleet as a pure function of (seed, host, metric, time): CPU with daily seasonality and
// noise, memory, a slowly filling disk that is cleaned up monthly, request and error counters that reset
// on a daily restart, and injected incidents (CPU spike plus error burst). No state, no clock: the same
// arguments always give the same value, so a restarted collector continues sample for sample.
import type { MetricKind } from '../../lib/avro/metric-batch.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GIB = 1024 ** 3;

/** 32-bit integer hash of a few integers (xmur3-style mixing), uniform in [0, 1). */
export function hashUnit(...parts: number[]): number {
  let h = 1779033703;
  for (const part of parts) {
    h = Math.imul(h ^ (part | 0), 3432918353);
    h = (h << 13) | (h >>> 19);
    h = Math.imul(h ^ Math.floor(part / 4294967296), 461845907);
  }
  h = Math.imul(h ^ (h >>> 16), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** Roughly standard-normal noise from hashed uniforms (Irwin-Hall with 4 terms). */
function noise(seed: number, host: number, metric: number, tick: number): number {
  let sum = 0;
  for (let k = 0; k < 4; k++) sum += hashUnit(seed, host, metric, tick, k);
  return (sum - 2) * Math.sqrt(3);
}

export interface SeriesSpec {
  metric: string;
  labels: Record<string, string>;
  kind: MetricKind;
  value(ts: number): number;
}

interface Incident {
  start: number;
  end: number;
}

/** The incident of `host` on the day holding `ts`, if that day has one. */
export function incidentOn(seed: number, host: number, ts: number, perDay: number): Incident | undefined {
  const day = Math.floor(ts / DAY);
  if (hashUnit(seed, host, day, 101) >= perDay) return undefined;
  const start = day * DAY + Math.floor(hashUnit(seed, host, day, 102) * 22 * HOUR);
  return { start, end: start + 20 * 60_000 + Math.floor(hashUnit(seed, host, day, 103) * 20 * 60_000) };
}

function dailyPhase(ts: number): number {
  return Math.sin((2 * Math.PI * ((ts % DAY) - 8 * HOUR)) / DAY); // trough near 02:00, peak near 14:00 UTC
}

/** Requests from time 0 to `t` at the seasonal rate: its closed-form integral. */
function requestsUntil(t: number, baseRate: number): number {
  return baseRate * (t / 1000 - (0.4 * DAY) / 1000 / (2 * Math.PI) * Math.cos((2 * Math.PI * ((t % DAY) - 8 * HOUR)) / DAY));
}

/** Requests since the service's last daily restart. (No closure per call: tsx names every one it creates.) */
function requestsSinceRestart(ts: number, restart: number, baseRate: number): number {
  return requestsUntil(ts, baseRate) - requestsUntil(restart, baseRate);
}

/** The seven series of host `index`. */
export function hostSeries(seed: number, index: number, incidentsPerHostDay: number, stepMs: number): SeriesSpec[] {
  const host = `host-${String(index + 1).padStart(2, '0')}`;
  const cpuBase = 15 + 30 * hashUnit(seed, index, 1);
  const memBase = (2 + 6 * hashUnit(seed, index, 2)) * GIB;
  const diskCapacity = 500 * GIB;
  const fillPerDay = (3 + 9 * hashUnit(seed, index, 3)) * GIB;
  const baseRate = 50 + 200 * hashUnit(seed, index, 4);
  const restartOffset = Math.floor(hashUnit(seed, index, 5) * DAY);
  const tick = (ts: number) => Math.floor(ts / stepMs);
  const incident = (ts: number) => {
    const found = incidentOn(seed, index, ts, incidentsPerHostDay);
    return found !== undefined && ts >= found.start && ts < found.end ? found : undefined;
  };
  const lastRestart = (ts: number) => Math.floor((ts - restartOffset) / DAY) * DAY + restartOffset;
  const labels = { host };
  return [
    { metric: 'cpu_utilization', labels: { ...labels, cpu: 'total' }, kind: 'GAUGE', value: (ts) => Math.min(100, Math.max(0, cpuBase * (1 + 0.5 * dailyPhase(ts)) + 2 * noise(seed, index, 1, tick(ts)) + (incident(ts) ? 45 : 0))) },
    { metric: 'memory_used_bytes', labels: { ...labels, capacity_bytes: String(16 * GIB) }, kind: 'GAUGE', value: (ts) => Math.round(memBase * (1 + 0.1 * dailyPhase(ts)) + 0.02 * GIB * noise(seed, index, 2, tick(ts))) },
    { metric: 'disk_used_bytes', labels: { ...labels, mount: '/', capacity_bytes: String(diskCapacity) }, kind: 'GAUGE', value: (ts) => Math.round(0.3 * diskCapacity + fillPerDay * (((ts + index * 3 * DAY) % (30 * DAY)) / DAY)) },
    { metric: 'disk_capacity_bytes', labels: { ...labels, mount: '/' }, kind: 'GAUGE', value: () => diskCapacity },
    { metric: 'http_requests_total', labels: { ...labels, service: 'api' }, kind: 'COUNTER', value: (ts) => Math.floor(requestsSinceRestart(ts, lastRestart(ts), baseRate)) },
    {
      metric: 'http_errors_total',
      labels: { ...labels, service: 'api' },
      kind: 'COUNTER',
      value: (ts) => {
        const restart = lastRestart(ts);
        const found = incidentOn(seed, index, ts, incidentsPerHostDay);
        const overlap = found ? Math.max(0, Math.min(ts, found.end) - Math.max(restart, found.start)) / 1000 : 0;
        return Math.floor(0.001 * requestsSinceRestart(ts, restart, baseRate) + 0.05 * baseRate * overlap);
      },
    },
    { metric: 'http_request_duration_p99_seconds', labels: { ...labels, service: 'api' }, kind: 'GAUGE', value: (ts) => Math.max(0.005, 0.12 * (1 + 0.3 * dailyPhase(ts)) + 0.01 * noise(seed, index, 7, tick(ts)) + (incident(ts) ? 1.5 : 0)) },
  ];
}
