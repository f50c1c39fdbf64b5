-- Hourly means the forecast processor saw, one row per series and closed event-time hour with samples
-- (an hour without samples has no row). The processor reads a series' rows back when it refits, so it keeps
-- no history in memory; data teams can read exactly what a forecast was fitted on. ReplacingMergeTree
-- collapses a row re-written after a replay or a state rebuild (same values). Kept 180 days (TTL on the
-- event-time hour, measured against the wall clock): a fit reads back at most 84 days
-- (FORECAST_HISTORY_HOURS) before a sample that may itself be 30 days old (SAMPLES_MAX_PAST_AGE_MS),
-- and the margin covers consumer lag. A row dropped while a window still needs it would change a refit.
CREATE TABLE IF NOT EXISTS {db}.forecast_history
(
    tenant    LowCardinality(String) COMMENT 'Owning tenant.',
    series_id UInt64 COMMENT 'Series; joins to series, samples and forecasts.',
    hour      DateTime64(3, 'UTC') COMMENT 'Start of the event-time hour.' CODEC(DoubleDelta, ZSTD(1)),
    mean      Float64 COMMENT 'Mean of the hour''s accepted samples, as the forecaster consumed it.' CODEC(Gorilla, ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (series_id, hour)
TTL toDateTime(hour) + INTERVAL 180 DAY
SETTINGS non_replicated_deduplication_window = 10000;
