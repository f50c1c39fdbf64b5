// Configuration of the forecast processor: which series are forecast, when the forecaster is first fitted
// and refitted, and how far ahead it looks. Model internals (members, intervals) are not configurable here.
import { Type, type Static } from '@sinclair/typebox';

export const forecastConfigSchema = Type.Object({
  enabled: Type.Boolean({ env: 'FORECAST_ENABLED', description: 'Run the forecast processor in the process role.', default: true }),
  metricPattern: Type.String({ env: 'FORECAST_METRIC_PATTERN', description: 'Regular expression a metric name must match in full to be forecast.', default: '.*', minLength: 1 }),
  minHistoryHours: Type.Integer({ env: 'FORECAST_MIN_HISTORY_HOURS', description: 'Hours with data a series needs before its first forecast.', default: 24, minimum: 1, maximum: 2016 }),
  refitEveryHours: Type.Integer({ env: 'FORECAST_REFIT_EVERY_HOURS', description: 'Hours between full refits of a series (in between, the forecaster is updated incrementally).', default: 24, minimum: 1 }),
  historyHours: Type.Integer({ env: 'FORECAST_HISTORY_HOURS', description: 'Hourly means a refit fits on, read back from forecast_history (the weekly models need 504; more costs refit time and store reads).', default: 1008, minimum: 24, maximum: 2016 }),
  horizonHours: Type.Integer({ env: 'FORECAST_HORIZON_HOURS', description: 'Forecast steps issued each hour, one per hour ahead.', default: 48, minimum: 1, maximum: 168 }),
});

export type ForecastConfig = Static<typeof forecastConfigSchema>;
