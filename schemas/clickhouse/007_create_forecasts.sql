-- Hourly forecasts of the forecast processor: for every series and every closed event-time hour, one row
-- per step ahead with 80% and 95% intervals and the model that made it. ReplacingMergeTree collapses a
-- forecast re-issued under a different insert token (e.g. after state was rebuilt from scratch); the same
-- inputs always give the same rows. Kept 90 days (TTL on issue time).
CREATE TABLE IF NOT EXISTS {db}.forecasts
(
    tenant        LowCardinality(String) COMMENT 'Owning tenant.',
    series_id     UInt64 COMMENT 'Series forecast; joins to series and samples.',
    issued_at     DateTime64(3, 'UTC') COMMENT 'When the forecast was issued: the start of the hour after the last hour it saw (= its first target).' CODEC(DoubleDelta, ZSTD(1)),
    target_ts     DateTime64(3, 'UTC') COMMENT 'Start of the hour forecast; compares with the samples_1h bucket of that hour.' CODEC(DoubleDelta, ZSTD(1)),
    step          UInt8 COMMENT 'Hours ahead: 1 for the first target (target_ts = issued_at + (step - 1) hours).',
    forecast      Float64 COMMENT 'Point forecast of the hourly mean.' CODEC(ZSTD(1)),
    lo80          Float64 COMMENT 'Lower bound of the 80% interval.' CODEC(ZSTD(1)),
    hi80          Float64 COMMENT 'Upper bound of the 80% interval.' CODEC(ZSTD(1)),
    lo95          Float64 COMMENT 'Lower bound of the 95% interval.' CODEC(ZSTD(1)),
    hi95          Float64 COMMENT 'Upper bound of the 95% interval.' CODEC(ZSTD(1)),
    model         LowCardinality(String) COMMENT 'Model that made the forecast, e.g. ensemble-daily or ensemble-weekly/hw-daily-add.',
    model_version LowCardinality(String) COMMENT 'Version of the forecasting code.'
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMMDD(issued_at)
ORDER BY (tenant, series_id, issued_at, target_ts)
TTL toDateTime(issued_at) + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 10000;
