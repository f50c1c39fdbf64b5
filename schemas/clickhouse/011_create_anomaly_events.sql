-- Anomaly events of the anomaly processor: one incident on one series is one event. The processor writes
-- an open row when the event opens (end null) and a resolved row when it closes; both share the sorting
-- key and the resolved row has the higher version, so ReplacingMergeTree keeps it (read with FINAL).
-- event_id (series_id:start_ms) is the dedup_key of the matching AlertEvent messages. Kept 365 days.
CREATE TABLE IF NOT EXISTS {db}.anomaly_events
(
    tenant     LowCardinality(String) COMMENT 'Owning tenant.',
    series_id  UInt64 COMMENT 'Series the incident is on; joins to series and baselines.',
    metric     LowCardinality(String) COMMENT 'Metric name of the series.',
    labels     Map(String, String) COMMENT 'Label set of the series without the metric name.',
    transform  LowCardinality(String) COMMENT 'What was scored: value (gauges) or rate (counters, per second).',
    event_id   String COMMENT 'series_id:start_ms; the alert dedup_key.',
    start      DateTime64(3, 'UTC') COMMENT 'Event time of the first anomalous point.' CODEC(DoubleDelta, ZSTD(1)),
    end        Nullable(DateTime64(3, 'UTC')) COMMENT 'Event time of the last anomalous point; null while open.',
    peak_score Float64 COMMENT 'Highest score of the incident, in [0, 1].',
    severity   LowCardinality(String) COMMENT 'warning or critical, from the peak score.',
    expected   Float64 COMMENT 'Expected value at the peak.',
    observed   Float64 COMMENT 'Observed value at the peak.',
    detector   LowCardinality(String) COMMENT 'Detector that dominated the peak: spike, dip, level_shift, trend, flatline, out_of_range.',
    status     LowCardinality(String) COMMENT 'open or resolved.',
    version    UInt64 COMMENT 'Event time (ms) of the point that wrote the row; the resolved row is the latest.'
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(start)
ORDER BY (tenant, series_id, start)
TTL toDateTime(start) + INTERVAL 365 DAY
SETTINGS non_replicated_deduplication_window = 10000;
