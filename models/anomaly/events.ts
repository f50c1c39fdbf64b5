// Hysteresis over the per-point score stream: turns scores into anomaly events (one incident, one event)
// that open at openThreshold and close after closeAfterPoints consecutive points below closeThreshold.
// Pure and allocation-free when nothing happens; it does not page, deduplicate across series or persist.

import type { DetectorName, DetectorOutput } from './detector.ts';

/** Event thresholds (all in score units, [0, 1]). */
export interface EventParams {
  /** A point at or above this score opens an event. */
  openThreshold: number;
  /** An open event counts points below this score towards closing. */
  closeThreshold: number;
  /** Consecutive points below closeThreshold that close the event. */
  closeAfterPoints: number;
  /** Peak score at or above which the event is critical rather than a warning. */
  criticalThreshold: number;
}

/** Defaults matched to defaultDetectorParams (fireLevel 0.5 there). */
export const defaultEventParams: EventParams = {
  openThreshold: 0.5,
  closeThreshold: 0.3,
  closeAfterPoints: 12,
  criticalThreshold: 0.8,
};

/** One anomaly incident on one series (snake_case: it goes to the wire and to ClickHouse as is). */
export interface AnomalyEvent {
  start_ms: number;
  /** Last point at or above closeThreshold (equals start_ms on the opening notice). */
  end_ms: number;
  peak_score: number;
  severity: 'warning' | 'critical';
  /** Expected and observed values at the peak. */
  expected: number;
  observed: number;
  detector: DetectorName;
}

/** Event machine state: plain JSON. `open` is null between incidents. */
export interface EventsState {
  open: AnomalyEvent | null;
  /** Consecutive points below closeThreshold while open. */
  quiet: number;
}

/** What one step produced; both fields absent on almost every point. */
export interface EventsStep {
  opened?: AnomalyEvent;
  closed?: AnomalyEvent;
}

const nothing: EventsStep = Object.freeze({});

/** A fresh machine with no open event. */
export function initEvents(): EventsState {
  return { open: null, quiet: 0 };
}

/** Hysteresis uses the score before the detector's refractory damping, so an incident stays one event. */
function scoreOf(out: DetectorOutput): number {
  return out.warm ? Math.max(out.score, out.rawScore) : 0;
}

function severityOf(peak: number, params: EventParams): 'warning' | 'critical' {
  return peak >= params.criticalThreshold ? 'critical' : 'warning';
}

/**
 * Feeds one scored point. Returns `{ opened }` on the point that opens an event (a copy, end_ms =
 * start_ms), `{ closed }` when the event closes, otherwise a shared empty object. Mutates the state.
 */
export function stepEvents(
  state: EventsState,
  tsMs: number,
  value: number,
  out: DetectorOutput,
  params: EventParams = defaultEventParams,
): EventsStep {
  const score = scoreOf(out);
  const open = state.open;
  if (open === null) {
    if (score < params.openThreshold) return nothing;
    const event: AnomalyEvent = {
      start_ms: tsMs,
      end_ms: tsMs,
      peak_score: score,
      severity: severityOf(score, params),
      expected: out.expected,
      observed: value,
      detector: out.detector,
    };
    state.open = event;
    state.quiet = 0;
    return { opened: { ...event } };
  }
  if (score >= params.closeThreshold) {
    state.quiet = 0;
    open.end_ms = tsMs;
    if (score > open.peak_score) {
      open.peak_score = score;
      open.severity = severityOf(score, params);
      open.expected = out.expected;
      open.observed = value;
      if (out.detector !== 'none') open.detector = out.detector;
    }
    return nothing;
  }
  state.quiet++;
  if (state.quiet < params.closeAfterPoints) return nothing;
  state.open = null;
  state.quiet = 0;
  return { closed: open };
}
