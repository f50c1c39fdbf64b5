-- Realised error of every issued forecast step whose target hour is over: forecasts joined to the hourly
-- mean of the samples (samples_1h, merged with sum(sum) / sum(count) since parts may not be merged yet).
-- A view rather than a table the processor writes: it is always consistent with the stored samples (late
-- samples included), needs no processor state, no second pass once actuals arrive and no backfill when
-- the definition changes. Filter by tenant and series_id, or by issued_at, to keep the join small.
CREATE VIEW IF NOT EXISTS {db}.forecast_accuracy AS
SELECT
    f.tenant AS tenant,
    f.series_id AS series_id,
    f.issued_at AS issued_at,
    f.target_ts AS target_ts,
    f.step AS step,
    f.forecast AS forecast,
    a.actual AS actual,
    a.samples AS samples,
    abs(a.actual - f.forecast) AS abs_error,
    if(a.actual = 0, NULL, abs(a.actual - f.forecast) / abs(a.actual)) AS ape,
    toUInt8(a.actual >= f.lo80 AND a.actual <= f.hi80) AS inside80,
    toUInt8(a.actual >= f.lo95 AND a.actual <= f.hi95) AS inside95,
    f.model AS model,
    f.model_version AS model_version
FROM {db}.forecasts AS f FINAL
INNER JOIN
(
    SELECT tenant, series_id, toDateTime64(bucket, 3, 'UTC') AS bucket_ts, sum(sum) / sum(count) AS actual, sum(count) AS samples
    FROM {db}.samples_1h
    WHERE bucket + INTERVAL 1 HOUR <= now()
    GROUP BY tenant, series_id, bucket
) AS a ON f.tenant = a.tenant AND f.series_id = a.series_id AND f.target_ts = a.bucket_ts;
