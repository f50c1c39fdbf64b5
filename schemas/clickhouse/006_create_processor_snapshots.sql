-- Periodic state snapshots of stateful processors, per group and partition: the state as it stood just
-- before `offset`. On assignment the runner restores the latest one and replays [offset, checkpoint)
-- without writing, so state and outputs agree again. Only the newest row per key matters.
CREATE TABLE IF NOT EXISTS {db}.processor_snapshots
(
    consumer_group String,
    topic          String,
    partition      UInt32,
    offset         UInt64 COMMENT 'The state reflects every record below this offset.',
    version        UInt64,
    taken_at       DateTime64(3, 'UTC'),
    state          String COMMENT 'Processor-defined serialisation (JSON).' CODEC(ZSTD(3))
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (consumer_group, topic, partition);
