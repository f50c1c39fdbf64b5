-- Baselines of the anomaly processor at the rollup resolution of samples_1m: per series and closed minute,
-- the mean of the detector's per-point expected value and the means of the per-point band bounds (so
-- lower <= expected <= upper), the highest score and the warm points behind them. Counters are scored on
-- their per-second rate (transform = 'rate'): compare those with the rate of samples_1m, not its mean.
-- ReplacingMergeTree collapses a row re-written under another insert token (state rebuilt from scratch).
-- Kept 30 days (TTL on the bucket).
CREATE TABLE IF NOT EXISTS {db}.baselines
(
    tenant    LowCardinality(String) COMMENT 'Owning tenant.',
    series_id UInt64 COMMENT 'Series scored; joins to series and samples_1m.',
    bucket    DateTime('UTC') COMMENT 'Start of the minute (same grid as samples_1m).' CODEC(DoubleDelta, ZSTD(1)),
    transform LowCardinality(String) COMMENT 'What was scored: value (gauges) or rate (counters, per second).',
    expected  Float64 COMMENT 'Mean of the per-point expected value over the minute.' CODEC(ZSTD(1)),
    lower     Float64 COMMENT 'Mean of the per-point lower band bound.' CODEC(ZSTD(1)),
    upper     Float64 COMMENT 'Mean of the per-point upper band bound.' CODEC(ZSTD(1)),
    max_score Float64 COMMENT 'Highest anomaly score in the minute, in [0, 1].' CODEC(ZSTD(1)),
    points    UInt32 COMMENT 'Warm (scored) points in the minute.'
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMMDD(bucket)
ORDER BY (tenant, series_id, bucket)
TTL bucket + INTERVAL 30 DAY
SETTINGS non_replicated_deduplication_window = 10000;
