-- Where each consumer group stands per partition: the next offset to process and, while a batch is being
-- written, the last offset of that batch (pending_to), so a restart replays exactly the same range with
-- the same insert tokens. The highest version per key wins; read with FINAL.
CREATE TABLE IF NOT EXISTS {db}.consumer_checkpoints
(
    consumer_group String,
    topic          String,
    partition      UInt32,
    next_offset    UInt64,
    pending_to     Int64 COMMENT '-1 when no batch is in flight.',
    version        UInt64,
    updated_at     DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (consumer_group, topic, partition);
