// One series through the models: counters become per-second rates, every scored point steps the detector
// and the event machine, and warm points fold into the open 1-minute baseline bucket, which closes when a
// sample of a later minute arrives. Pure and deterministic; samples not newer than the last are refused.
// The detector state rests packed in the series; addSamples unpacks it into one shared scratch state for
// a run of points and packs it back.
import { createDetectorOutput, initDetector, stepDetector, type DetectorParams, type DetectorState } from '../../models/anomaly/detector.ts';
import { createDetectorPacker, type DetectorPacker } from '../../models/anomaly/packed.ts';
import { initEvents, stepEvents, type EventParams } from '../../models/anomaly/events.ts';
import type { MetricKind } from '../../lib/avro/metric-batch.ts';
import { MINUTE_MS, alertOf, baselineRow, eventRow, type Output } from './rows.ts';
import type { BucketState, SeriesState } from './state.ts';

/** What scoring needs (model defaults plus the processor's quiet period). */
export interface ScorePolicy {
  detector: DetectorParams;
  events: EventParams;
  eventQuietMs: number;
  /** Event params by closeAfterPoints, built on first use (keeps the hot loop allocation-free). */
  closeParams: Map<number, EventParams>;
  packer: DetectorPacker;
  /** Scratch detector state the packed states are unpacked into (never part of any series' state). */
  work: DetectorState;
}

/** The policy for these model parameters. */
export function createScorePolicy(detector: DetectorParams, events: EventParams, eventQuietMs: number): ScorePolicy {
  return { detector, events, eventQuietMs, closeParams: new Map(), packer: createDetectorPacker(detector), work: initDetector(detector) };
}

const emptyBucket = (start: number): BucketState => ({ start, points: 0, sumExpected: 0, sumLower: 0, sumUpper: 0, maxScore: 0 });

/** A new series, before its first sample. */
export function newSeries(tenant: string, metric: string, labels: Record<string, string>, kind: MetricKind, policy: ScorePolicy): SeriesState {
  return {
    tenant, metric, labels, transform: kind === 'COUNTER' ? 'rate' : 'value', lastTs: -1, lastRaw: 0, stepMs: 0, samples: 0,
    detector: policy.packer.pack(initDetector(policy.detector)), events: initEvents(), bucket: emptyBucket(-1),
  };
}

// Reused across calls: stepDetector writes into it (never part of the state).
const scratch = createDetectorOutput();

/**
 * Adds a series' samples, sorted by event time, and returns how many were accepted; a late or duplicate
 * sample (not newer than the last accepted one) is refused and changes nothing.
 */
export function addSamples(s: SeriesState, seriesId: string, points: readonly (readonly [number, number])[], policy: ScorePolicy, out: Output): number {
  const detector = policy.packer.unpack(s.detector, policy.work);
  let accepted = 0;
  for (const [ts, raw] of points) if (addSample(s, detector, seriesId, ts, raw, policy, out)) accepted++;
  policy.packer.pack(detector, s.detector);
  return accepted;
}

function addSample(s: SeriesState, detector: DetectorState, seriesId: string, ts: number, raw: number, policy: ScorePolicy, out: Output): boolean {
  if (s.samples > 0 && ts <= s.lastTs) return false;
  const previousTs = s.lastTs;
  const previousRaw = s.lastRaw;
  s.samples++;
  s.lastTs = ts;
  s.lastRaw = raw;
  if (s.samples > 1) s.stepMs = ts - previousTs;
  let value = raw;
  if (s.transform === 'rate') {
    if (s.samples === 1) return true; // a rate needs two samples
    // a counter that went down was reset (restart): it counted `raw` since
    value = ((raw >= previousRaw ? raw - previousRaw : raw) * 1000) / (ts - previousTs);
  }
  score(s, detector, seriesId, ts, value, policy, out);
  return true;
}

function score(s: SeriesState, detector: DetectorState, seriesId: string, ts: number, value: number, policy: ScorePolicy, out: Output): void {
  const minute = Math.floor(ts / MINUTE_MS) * MINUTE_MS;
  if (minute !== s.bucket.start) {
    if (s.bucket.points > 0) out.baselines.push(baselineRow(s, seriesId, s.bucket));
    s.bucket = emptyBucket(minute);
  }
  const d = stepDetector(detector, ts, value, policy.detector, scratch);
  if (d.warm) {
    const b = s.bucket;
    b.points++;
    b.sumExpected += d.expected;
    b.sumLower += d.lower;
    b.sumUpper += d.upper;
    b.maxScore = Math.max(b.maxScore, d.score);
  }
  const step = stepEvents(s.events, ts, value, d, eventParams(s, policy));
  if (step.opened) {
    out.events.push(eventRow(s, seriesId, step.opened, 'open', ts));
    out.alerts.push(alertOf(s, seriesId, step.opened, 'trigger'));
  }
  if (step.closed) {
    out.events.push(eventRow(s, seriesId, step.closed, 'resolved', ts));
    out.alerts.push(alertOf(s, seriesId, step.closed, 'resolve'));
  }
}

/**
 * The model closes an event after closeAfterPoints quiet points; the processor also asks for eventQuietMs
 * of quiet event time at the series' sampling interval, so a fast-scraped incident and its recovery (the
 * detector re-learns a sustained level within a few points, then scores the return as a dip) stay one event.
 */
function eventParams(s: SeriesState, policy: ScorePolicy): EventParams {
  if (s.stepMs <= 0 || policy.eventQuietMs <= 0) return policy.events;
  const points = Math.ceil(policy.eventQuietMs / s.stepMs);
  if (points <= policy.events.closeAfterPoints) return policy.events;
  let params = policy.closeParams.get(points);
  if (params === undefined) {
    params = { ...policy.events, closeAfterPoints: points };
    policy.closeParams.set(points, params);
  }
  return params;
}
