-- 1-minute and 1-hour rollups, maintained by materialized views on samples. Replayed inserts carry the
-- same deduplication token, and deduplicate_blocks_in_dependent_materialized_views makes the views skip
-- them too, so counts stay exact under at-least-once delivery.
CREATE TABLE IF NOT EXISTS {db}.samples_1m
(
    tenant    LowCardinality(String),
    series_id UInt64,
    bucket    DateTime('UTC') COMMENT 'Start of the minute.',
    count     SimpleAggregateFunction(sum, UInt64),
    sum       SimpleAggregateFunction(sum, Float64),
    min       SimpleAggregateFunction(min, Float64),
    max       SimpleAggregateFunction(max, Float64),
    last      AggregateFunction(argMax, Float64, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (tenant, series_id, bucket)
TTL bucket + INTERVAL 180 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.samples_1m_mv TO {db}.samples_1m AS
SELECT tenant, series_id, toStartOfMinute(ts) AS bucket,
       count() AS count, sum(value) AS sum, min(value) AS min, max(value) AS max, argMaxState(value, ts) AS last
FROM {db}.samples
GROUP BY tenant, series_id, bucket;

CREATE TABLE IF NOT EXISTS {db}.samples_1h
(
    tenant    LowCardinality(String),
    series_id UInt64,
    bucket    DateTime('UTC') COMMENT 'Start of the hour.',
    count     SimpleAggregateFunction(sum, UInt64),
    sum       SimpleAggregateFunction(sum, Float64),
    min       SimpleAggregateFunction(min, Float64),
    max       SimpleAggregateFunction(max, Float64),
    last      AggregateFunction(argMax, Float64, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (tenant, series_id, bucket)
TTL bucket + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.samples_1h_mv TO {db}.samples_1h AS
SELECT tenant, series_id, toStartOfHour(ts) AS bucket,
       count() AS count, sum(value) AS sum, min(value) AS min, max(value) AS max, argMaxState(value, ts) AS last
FROM {db}.samples
GROUP BY tenant, series_id, bucket;
