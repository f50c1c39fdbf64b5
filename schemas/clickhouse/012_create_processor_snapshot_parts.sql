-- State snapshots of stateful processors, written in parts so no snapshot is one huge string and the
-- event loop is never held for a whole partition's state. Two slots per (group, topic, partition), written
-- alternately: parts 1..n first, then the manifest (part 0, holding n). A slot is complete when its
-- manifest and all n parts carry the same offset, so a crash mid-write spoils only the slot being written
-- and the other one still restores. The newest insert per key wins (no version column).
-- Supersedes processor_snapshots (006), which is still read on restore when no complete slot exists.
CREATE TABLE IF NOT EXISTS {db}.processor_snapshot_parts
(
    consumer_group String,
    topic          String,
    partition      UInt32,
    slot           UInt8 COMMENT '0 or 1: written alternately.',
    part           UInt32 COMMENT '0: the manifest, written last; 1..parts: the state.',
    offset         UInt64 COMMENT 'The state reflects every record below this offset.',
    parts          UInt32 COMMENT 'Manifest only: how many state parts the snapshot has.',
    taken_at       DateTime64(3, 'UTC'),
    state          String COMMENT 'Processor-defined serialisation (JSON); empty in the manifest.' CODEC(ZSTD(3))
)
ENGINE = ReplacingMergeTree
ORDER BY (consumer_group, topic, partition, slot, part);
