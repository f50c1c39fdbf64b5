-- Capacity plans: for every forecast of a series with a capacity (label capacity_bytes), when the point
-- forecast and the 80%/95% bounds first reach the capacity, and the headroom left at the forecast peak.
-- Times are null when the crossing is not within the horizon. Kept 365 days (TTL on issue time).
CREATE TABLE IF NOT EXISTS {db}.capacity_plans
(
    tenant         LowCardinality(String) COMMENT 'Owning tenant.',
    series_id      UInt64 COMMENT 'Series planned; joins to series and forecasts.',
    metric         LowCardinality(String) COMMENT 'Metric name of the series, e.g. disk_used_bytes.',
    issued_at      DateTime64(3, 'UTC') COMMENT 'Issue time of the forecast the plan comes from.' CODEC(DoubleDelta, ZSTD(1)),
    capacity       Float64 COMMENT 'Capacity the usage is compared with, from the capacity_bytes label.',
    eta            Nullable(DateTime64(3, 'UTC')) COMMENT 'When the point forecast reaches the capacity; null when not within the horizon.',
    eta80_from     Nullable(DateTime64(3, 'UTC')) COMMENT 'Earliest plausible exhaustion at 80% (upper bound crossing).',
    eta80_to       Nullable(DateTime64(3, 'UTC')) COMMENT 'Latest plausible exhaustion at 80% (lower bound crossing); null: beyond the horizon.',
    eta95_from     Nullable(DateTime64(3, 'UTC')) COMMENT 'Earliest plausible exhaustion at 95%.',
    eta95_to       Nullable(DateTime64(3, 'UTC')) COMMENT 'Latest plausible exhaustion at 95%; null: beyond the horizon.',
    headroom       Float64 COMMENT 'Capacity minus the forecast peak within the horizon (negative once exhausted).',
    headroom_ratio Float64 COMMENT 'Headroom as a fraction of the capacity.',
    within_horizon UInt8 COMMENT '1 when the point forecast reaches the capacity within the horizon.',
    summary        String COMMENT 'One sentence for people, e.g. full in 3.2 days, 80% between 2.6 and 4.1 days.'
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(issued_at)
ORDER BY (tenant, series_id, issued_at)
TTL toDateTime(issued_at) + INTERVAL 365 DAY
SETTINGS non_replicated_deduplication_window = 10000;
