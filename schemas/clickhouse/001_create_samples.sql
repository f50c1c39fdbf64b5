-- Raw samples, one row per (tenant, series, timestamp). ReplacingMergeTree collapses exact re-sends that
-- slipped past insert deduplication; readers that need exactness group by ts. Kept 30 days (TTL).
CREATE TABLE IF NOT EXISTS {db}.samples
(
    tenant    LowCardinality(String) COMMENT 'Owning tenant, from the collector credential.',
    series_id UInt64 COMMENT 'Stable hash of tenant, metric and sorted labels; joins to series.',
    ts        DateTime64(3, 'UTC') COMMENT 'Event time of the sample.' CODEC(DoubleDelta, ZSTD(1)),
    value     Float64 COMMENT 'Sample value (finite).' CODEC(Gorilla, ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMMDD(ts)
ORDER BY (tenant, series_id, ts)
TTL toDateTime(ts) + INTERVAL 30 DAY
SETTINGS non_replicated_deduplication_window = 10000;
