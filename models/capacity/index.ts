// Time-to-exhaustion of a saturating resource from a forecast with intervals: first crossing of the
// capacity by the mean and by the interval bounds, interpolated within a step, plus headroom at the peak.
// Pure: it neither forecasts nor reads a clock (times come from the forecast's own timestamps).

/** A forecast on a regular grid: values[i] is the forecast for time startMs + i·stepMs. */
export interface CapacityForecast {
  readonly startMs: number;
  readonly stepMs: number;
  readonly mean: readonly number[];
  readonly lo80: readonly number[];
  readonly hi80: readonly number[];
  readonly lo95: readonly number[];
  readonly hi95: readonly number[];
  /** Last observed value at startMs − stepMs; lets a crossing in the first step be interpolated. */
  readonly lastObserved?: number;
}

/** 'up': exhausted when usage rises to the capacity (disk used); 'down': when it falls to it (free memory). */
export interface CapacityOptions {
  readonly direction: 'up' | 'down';
}

/** Earliest and latest plausible exhaustion times of one interval (null: not within the horizon). */
export type EtaRange = [earliest: number | null, latest: number | null];

/** The capacity answer. All times are epoch ms on the forecast's clock. */
export interface Exhaustion {
  readonly direction: 'up' | 'down';
  /** The "now" of the forecast: startMs − stepMs. */
  readonly fromMs: number;
  /** First crossing of the capacity by the point forecast, or null when not within the horizon. */
  readonly etaMs: number | null;
  /** From the 80% bounds: up, [hi80 crossing, lo80 crossing]; down, [lo80 crossing, hi80 crossing]. */
  readonly eta80: EtaRange;
  /** Likewise from the 95% bounds. */
  readonly eta95: EtaRange;
  /** capacity − max(mean) for 'up', min(mean) − capacity for 'down' (negative once exhausted). */
  readonly headroomAtPeak: number;
  /** headroomAtPeak / |capacity| (NaN for capacity 0). */
  readonly headroomRatio: number;
  /** Time of the forecast peak (trough for 'down'). */
  readonly peakMs: number;
  /** Whether the point forecast reaches the capacity within the horizon. */
  readonly withinHorizon: boolean;
  /** Time of the last forecast point. */
  readonly horizonEndMs: number;
}

/**
 * First time the series reaches `capacity` (≥ for 'up', ≤ for 'down'), linearly interpolated between
 * grid points; `previous` is the value one step before the first point. Null when it never does.
 */
export function firstCrossing(
  values: readonly number[], capacity: number, direction: 'up' | 'down', startMs: number, stepMs: number, previous?: number,
): number | null {
  const reached = (v: number): boolean => (direction === 'up' ? v >= capacity : v <= capacity);
  if (previous !== undefined && Number.isFinite(previous) && reached(previous)) return startMs - stepMs;
  let prev = previous !== undefined && Number.isFinite(previous) ? previous : NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? NaN;
    const t = startMs + i * stepMs;
    if (Number.isFinite(v) && reached(v)) {
      if (!Number.isFinite(prev) || v === prev) return t;
      const frac = (capacity - prev) / (v - prev);
      return t - stepMs + Math.min(1, Math.max(0, frac)) * stepMs;
    }
    if (Number.isFinite(v)) prev = v;
  }
  return null;
}

/** Time-to-exhaustion of `capacity` under the forecast, with 80%/95% ranges and headroom at the peak. */
export function timeToExhaustion(f: CapacityForecast, capacity: number, options: CapacityOptions): Exhaustion {
  const { direction } = options;
  const cross = (v: readonly number[]): number | null => firstCrossing(v, capacity, direction, f.startMs, f.stepMs, f.lastObserved);
  const range = (lo: readonly number[], hi: readonly number[]): EtaRange =>
    direction === 'up' ? [cross(hi), cross(lo)] : [cross(lo), cross(hi)];
  let peakIndex = 0;
  f.mean.forEach((v, i) => {
    const best = f.mean[peakIndex] ?? NaN;
    if (!Number.isFinite(best) || (direction === 'up' ? v > best : v < best)) peakIndex = i;
  });
  const peak = f.mean[peakIndex] ?? NaN;
  const headroomAtPeak = direction === 'up' ? capacity - peak : peak - capacity;
  const etaMs = cross(f.mean);
  return {
    direction,
    fromMs: f.startMs - f.stepMs,
    etaMs,
    eta80: range(f.lo80, f.hi80),
    eta95: range(f.lo95, f.hi95),
    headroomAtPeak,
    headroomRatio: capacity === 0 ? NaN : headroomAtPeak / Math.abs(capacity),
    peakMs: f.startMs + peakIndex * f.stepMs,
    withinHorizon: etaMs !== null,
    horizonEndMs: f.startMs + (f.mean.length - 1) * f.stepMs,
  };
}

const HOUR_MS = 3_600_000;

/** A duration in hours below two days, else in days, one decimal. */
export function formatDuration(ms: number): string {
  const hours = ms / HOUR_MS;
  return hours < 48 ? `${hours.toFixed(1)} hours` : `${(hours / 24).toFixed(1)} days`;
}

/** "2.6 and 4.1 days" when both ends share a unit, else "20.0 hours and 2.5 days". */
function formatRange(a: number, b: number): string {
  const [x, y] = [formatDuration(a), formatDuration(b)];
  const unit = (s: string): string => s.slice(s.indexOf(' '));
  return unit(x) === unit(y) ? `${x.slice(0, x.indexOf(' '))} and ${y}` : `${x} and ${y}`;
}

/**
 * One sentence for people: "full in 3.2 days, 80% between 2.6 and 4.1 days", "… 80% from 2.6 days to beyond
 * the horizon", or "not within the horizon (…)". `verb` defaults to "full" ('up') or "exhausted" ('down').
 */
export function describeExhaustion(e: Exhaustion, verb = e.direction === 'up' ? 'full' : 'exhausted'): string {
  const after = (t: number): string => formatDuration(t - e.fromMs);
  const [early, late] = e.eta80;
  const band = early === null
    ? ''
    : late === null
      ? `80% from ${after(early)} to beyond the horizon`
      : `80% between ${formatRange(early - e.fromMs, late - e.fromMs)}`;
  if (e.etaMs === null) {
    const horizon = `not within the horizon (${formatDuration(e.horizonEndMs - e.fromMs)})`;
    return band === '' ? horizon : `${horizon}; ${band}`;
  }
  if (e.etaMs <= e.fromMs) return `${verb} now`;
  return band === '' ? `${verb} in ${after(e.etaMs)}` : `${verb} in ${after(e.etaMs)}, ${band}`;
}
