// Configuration of the samples processor: validation limits for incoming samples. Windows are measured
// against the record's bus append time, not the wall clock, so a replay decides exactly as the first run.
import { Type, type Static } from '@sinclair/typebox';

export const samplesConfigSchema = Type.Object({
  group: Type.String({ env: 'SAMPLES_CONSUMER_GROUP', description: 'Consumer group of the samples processor.', default: 'prognos-samples' }),
  maxFutureSkewMs: Type.Integer({ env: 'SAMPLES_MAX_FUTURE_SKEW_MS', description: 'Samples further ahead of their append time are dead-lettered.', default: 600_000, minimum: 0 }),
  maxPastAgeMs: Type.Integer({ env: 'SAMPLES_MAX_PAST_AGE_MS', description: 'Samples older than this before their append time are dead-lettered (keep below the samples TTL).', default: 30 * 86_400_000, minimum: 0 }),
  maxLabels: Type.Integer({ env: 'SAMPLES_MAX_LABELS', description: 'Most labels on one series.', default: 64, minimum: 1 }),
  maxLabelBytes: Type.Integer({ env: 'SAMPLES_MAX_LABEL_BYTES', description: 'Longest label name or value, in bytes.', default: 1024, minimum: 1 }),
});

export type SamplesConfig = Static<typeof samplesConfigSchema>;
