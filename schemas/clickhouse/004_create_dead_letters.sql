-- Everything refused on the way in, with the reason: undecodable records (payload base64) and invalid
-- samples (payload JSON). Never silently dropped; kept 30 days.
CREATE TABLE IF NOT EXISTS {db}.dead_letters
(
    tenant      LowCardinality(String) COMMENT 'Tenant from the record key, empty when unknown.',
    received_at DateTime64(3, 'UTC') COMMENT 'Bus append time of the record.',
    component   LowCardinality(String) COMMENT 'Which processor refused it.',
    topic       LowCardinality(String),
    partition   UInt32,
    offset      UInt64,
    reason      LowCardinality(String) COMMENT 'Machine-readable reason, e.g. bad_framing, non_finite_value.',
    detail      String COMMENT 'Human-readable explanation.',
    payload     String COMMENT 'The refused bytes (base64) or sample (JSON).' CODEC(ZSTD(3))
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(received_at)
ORDER BY (tenant, received_at, topic, partition, offset)
TTL toDateTime(received_at) + INTERVAL 30 DAY
SETTINGS non_replicated_deduplication_window = 10000;
