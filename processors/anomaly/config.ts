// Configuration of the anomaly processor: which series are scored, how long an incident must stay quiet
// before its event closes, and when a daily recurring spike stops paging. The other detector and event
// thresholds are the models' own (models/anomaly/params.ts).
import { Type, type Static } from '@sinclair/typebox';
import { defaultDetectorParams, type DetectorParams } from '../../models/anomaly/params.ts';

export const anomalyConfigSchema = Type.Object({
  enabled: Type.Boolean({ env: 'ANOMALY_ENABLED', description: 'Run the anomaly processor in the process role.', default: true }),
  metricPattern: Type.String({ env: 'ANOMALY_METRIC_PATTERN', description: 'Regular expression a metric name must match in full to be scored (gauges on their value, counters on their per-second rate).', default: '.*', minLength: 1 }),
  eventQuietMs: Type.Integer({
    env: 'ANOMALY_EVENT_QUIET_MS',
    description: 'Event time an open anomaly event must stay below the close threshold before it closes (at least the model\'s closeAfterPoints points), so an incident and its recovery are one event.',
    default: 300_000,
    minimum: 0,
  }),
  recurringDays: Type.Integer({
    env: 'ANOMALY_RECURRING_DAYS',
    description: 'Consecutive days a spike must fire at the same UTC hour (±1 h) before that hour counts as a daily schedule and a spike there stops paging unless it scores 0.1 above the day before. 0 pages every day.',
    default: defaultDetectorParams.recurStreak,
    minimum: 0,
  }),
});

export type AnomalyConfig = Static<typeof anomalyConfigSchema>;

/** The detector parameters this configuration asks for (the models' defaults otherwise). */
export function detectorParamsFor(config: Pick<AnomalyConfig, 'recurringDays'>): DetectorParams {
  return config.recurringDays === defaultDetectorParams.recurStreak ? defaultDetectorParams : Object.freeze({ ...defaultDetectorParams, recurStreak: config.recurringDays });
}
