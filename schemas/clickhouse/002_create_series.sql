-- Series catalogue: one logical row per series (merge with GROUP BY or FINAL-free aggregates).
CREATE TABLE IF NOT EXISTS {db}.series
(
    tenant     LowCardinality(String),
    series_id  UInt64,
    metric     SimpleAggregateFunction(anyLast, String) COMMENT 'Metric name.',
    labels     SimpleAggregateFunction(anyLast, Map(String, String)) COMMENT 'Label set without the metric name.',
    kind       SimpleAggregateFunction(anyLast, LowCardinality(String)) COMMENT 'GAUGE, COUNTER or UNKNOWN.',
    source     SimpleAggregateFunction(anyLast, String) COMMENT 'Collector or host that last sent it.',
    first_seen SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    last_seen  SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    samples    SimpleAggregateFunction(sum, UInt64) COMMENT 'Samples accepted.'
)
ENGINE = AggregatingMergeTree
ORDER BY (tenant, series_id)
SETTINGS non_replicated_deduplication_window = 10000;
