// One series through the models: counters become per-second rates, every scored point steps the detector
// and the event machine, and warm points fold into the open 1-minute baseline bucket, which closes when a
// sample of a later minute arrives. Pure and deterministic; samples not newer than the last are refused.
// A series rests as a slot of numbers (state.ts); addSamples unpacks it into one shared working state for
// a run of points and packs it back.
import { createDetectorOutput, initDetector, stepDetector, type DetectorParams, type DetectorState } from '../../models/anomaly/detector.ts';
import { createDetectorPacker, type DetectorPacker } from '../../models/anomaly/packed.ts';
import { stepEvents, type EventParams } from '../../models/anomaly/events.ts';
import type { MetricKind } from '../../lib/avro/metric-batch.ts';
import type { SlotView } from '../../lib/runner/slab.ts';
import { MINUTE_MS, alertOf, baselineRow, eventRow, type Output } from './rows.ts';
import { createSeriesPacker, type AnomalyPartitionState, type BucketState, type SeriesPacker, type SeriesState, type Transform } from './state.ts';

/** What scoring needs (model defaults plus the processor's quiet period), and the working states it reuses. */
export interface ScorePolicy {
  detector: DetectorParams;
  events: EventParams;
  eventQuietMs: number;
  /** Event params by closeAfterPoints, built on first use (keeps the hot loop allocation-free). */
  closeParams: Map<number, EventParams>;
  packer: DetectorPacker;
  series: SeriesPacker;
  /** A new series' slot, by transform. */
  fresh: Readonly<Record<Transform, Float64Array>>;
  /** Working states the slots are unpacked into (never part of any partition's state). */
  work: DetectorState;
  current: SeriesState;
  view: SlotView;
}

/** A series before its first sample (who it is is filled in from each record). */
const blankSeries = (transform: Transform): SeriesState => ({
  tenant: '', metric: '', labels: {}, transform, lastTs: -1, lastRaw: 0, stepMs: 0, samples: 0,
  events: { open: null, quiet: 0 }, bucket: { start: -1, points: 0, sumExpected: 0, sumLower: 0, sumUpper: 0, maxScore: 0 },
});

/** The policy for these model parameters. */
export function createScorePolicy(detector: DetectorParams, events: EventParams, eventQuietMs: number): ScorePolicy {
  const packer = createDetectorPacker(detector);
  const series = createSeriesPacker(packer);
  const fresh = (transform: Transform): Float64Array => {
    const slot = new Float64Array(series.stride);
    series.pack(blankSeries(transform), initDetector(detector), slot, 0);
    return slot;
  };
  return {
    detector, events, eventQuietMs, closeParams: new Map(), packer, series, fresh: { value: fresh('value'), rate: fresh('rate') },
    work: initDetector(detector), current: blankSeries('value'), view: { data: new Float64Array(0), at: 0 },
  };
}

function resetBucket(b: BucketState, start: number): void {
  b.start = start;
  b.points = 0;
  b.sumExpected = 0;
  b.sumLower = 0;
  b.sumUpper = 0;
  b.maxScore = 0;
}

/** Who a series is, from the record that carries its samples (not kept in the state). */
export interface SeriesMeta {
  tenant: string;
  metric: string;
  labels: Readonly<Record<string, string>>;
  kind: MetricKind;
}

// Reused across calls: stepDetector writes into it (never part of the state).
const scratch = createDetectorOutput();

/**
 * Adds a series' samples, sorted by event time, and returns how many were accepted; a late or duplicate
 * sample (not newer than the last accepted one) is refused and changes nothing. A series not yet in the
 * partition is added (its transform fixed by `meta.kind`).
 */
export function addSamples(state: AnomalyPartitionState, seriesId: string, meta: SeriesMeta, timestamps: readonly number[], values: readonly number[], policy: ScorePolicy, out: Output): number {
  const s = policy.current;
  const detector = policy.work;
  s.tenant = meta.tenant;
  s.metric = meta.metric;
  s.labels = meta.labels;
  let slot = state.series.get(seriesId);
  if (slot === undefined) {
    slot = state.slab.alloc();
    state.series.set(seriesId, slot);
    const { data, at } = state.slab.view(slot, policy.view);
    data.set(policy.fresh[meta.kind === 'COUNTER' ? 'rate' : 'value'], at);
  }
  const { data, at } = state.slab.view(slot, policy.view);
  policy.series.unpack(data, at, s, detector);
  let accepted = 0;
  for (let i = 0; i < timestamps.length; i++) if (addSample(s, detector, seriesId, timestamps[i]!, values[i]!, policy, out)) accepted++;
  policy.series.pack(s, detector, data, at);
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
    resetBucket(s.bucket, minute);
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
