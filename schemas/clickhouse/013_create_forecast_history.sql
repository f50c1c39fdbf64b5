-- Hourly means the forecast processor saw, one row per series and closed event-time hour with samples
-- (an hour without samples has no row). The processor reads a series' rows back when it refits, so it keeps
-- no history in memory; data teams can read exactly what a forecast was fitted on. ReplacingMergeTree
-- collapses a row re-written after a replay (same values). Kept 100 days (TTL on the hour): longer than
-- the largest fit window (FORECAST_HISTORY_HOURS, at most 84 days).
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
TTL toDateTime(hour) + INTERVAL 100 DAY
SETTINGS non_replicated_deduplication_window = 10000;
