import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { defaultDetectorParams } from '../../models/anomaly/detector.ts';
import { anomalyConfigSchema, detectorParamsFor, type AnomalyConfig } from './config.ts';

describe('detectorParamsFor', () => {
  const defaults = Value.Default(anomalyConfigSchema, {}) as AnomalyConfig;

  it('is the models’ defaults when nothing is set', () => {
    expect(detectorParamsFor(defaults)).toBe(defaultDetectorParams);
  });

  it.each([[0], [1], [7]])('sets the recurrence streak from ANOMALY_RECURRING_DAYS=%i and nothing else', (days) => {
    const params = detectorParamsFor({ ...defaults, recurringDays: days });
    expect(params.recurStreak).toBe(days);
    expect({ ...params, recurStreak: defaultDetectorParams.recurStreak }).toEqual(defaultDetectorParams);
  });
});
