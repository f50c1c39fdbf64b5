// Embedded store only, run before chDB opens its data directory: forget the insert-deduplication records
// of parts that never became active. A plain MergeTree appends a block's record to
// deduplication_logs/ before it renames the part into place (MergeTreeSink: addPart, then
// renameTempPartAndAdd, then commit). A process killed between the two leaves a record for a part that is
// gone, and the replay of that insert, which carries the same token, is dropped as a duplicate: its rows
// are lost while its materialized views (written after the rename) take them. With chDB the store dies with
// the processor, so every SIGKILL can land in that window. Appending the log's own DROP record for such a
// block makes the engine forget it at load; the replay is then stored once. A ClickHouse server does not
// die with the processor, and Replicated tables commit the block id and the part together in Keeper.
// This reads the engine's own files, so it knows one format: chDB 3.4.0 (ClickHouse 26.7), pinned in
// package.json. A log it does not understand is left alone with a warning, and the store crash test
// (dedup-repair.int.test.ts) fails if a new version moves the record or the window.
import { closeSync, fsyncSync, ftruncateSync, openSync, readdirSync, readFileSync, readlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** One line of a deduplication log: `op \t part \t block_id`, op 1 = ADD, 2 = DROP. */
export interface DedupRecord {
  op: 'add' | 'drop';
  part: string;
  blockId: string;
}

/** The block range a part name covers: `<partition>_<min>_<max>_<level>[_<mutation>]`. */
export interface PartRange {
  partition: string;
  min: number;
  max: number;
}

/** What the repair did to one table: the parts named by the records it dropped, and anything unusual. */
export interface ForgottenBlocks {
  table: string;
  parts: string[];
  /** A torn last line cut off, or why the table's log was left alone. */
  problem?: string;
}

const partName = /^([^_]+)_(\d+)_(\d+)_(\d+)(?:_(\d+))?$/;
const logFile = /^deduplication_log_(\d+)\.txt$/;

/** The block range of a part directory's name (the current naming; tables of the pre-2017 syntax, whose names begin with two dates, do not occur here). */
export function parsePartName(name: string): PartRange | undefined {
  const match = partName.exec(name);
  if (!match) return undefined;
  const range = { partition: match[1]!, min: Number(match[2]), max: Number(match[3]) };
  return range.min <= range.max ? range : undefined;
}

/**
 * Records of one log text. Only newline-terminated lines count (an unterminated last line is torn); a
 * whole line this code does not understand makes the result undefined, so the caller leaves the log alone.
 */
export function parseRecords(text: string): DedupRecord[] | undefined {
  const records: DedupRecord[] = [];
  for (const line of text.split('\n').slice(0, -1)) {
    if (line === '') continue;
    const [op, part, blockId, ...rest] = line.split('\t');
    if ((op !== '1' && op !== '2') || !part || !blockId || rest.length > 0) return undefined;
    records.push({ op: op === '1' ? 'add' : 'drop', part, blockId });
  }
  return records;
}

/**
 * The live records (ADDs not dropped later, as the engine replays them) whose part no directory on disk
 * covers: neither the part itself nor a merge or mutation of it. Only sound before the engine loads the
 * table, when no new insert can have reused the lost part's block number.
 */
export function staleRecords(records: readonly DedupRecord[], partDirs: readonly string[]): DedupRecord[] {
  const live = new Map<string, DedupRecord>();
  for (const record of records) {
    if (record.op === 'add') live.set(record.blockId, record);
    else live.delete(record.blockId);
  }
  const onDisk = partDirs.map(parsePartName).filter((range): range is PartRange => range !== undefined);
  return [...live.values()].filter((record) => {
    const range = parsePartName(record.part);
    if (range === undefined) return false; // a name this code does not understand: leave it to the engine
    return !onDisk.some((part) => part.partition === range.partition && part.min <= range.min && part.max >= range.max);
  });
}

/**
 * For every table of every database under the chDB path, append a DROP record for each stale block
 * (staleRecords) to the table's newest deduplication log, and fsync it. Returns, per table, what it
 * dropped and anything unusual: a torn last line of the newest log is cut off first (the engine would
 * append after it, and its loader would stop there), and a log it does not understand is left alone.
 */
export function forgetUncommittedBlocks(chdbPath: string): ForgottenBlocks[] {
  const report: ForgottenBlocks[] = [];
  for (const database of entries(join(chdbPath, 'data'))) {
    for (const table of entries(join(chdbPath, 'data', database))) {
      const link = join(chdbPath, 'data', database, table);
      let dir: string;
      try {
        dir = resolve(join(chdbPath, 'data', database), readlinkSync(link));
      } catch {
        continue; // not a link to store/ (an Ordinary database, or a table without parts)
      }
      const result = repairTable(dir);
      if (result.parts.length > 0 || result.problem !== undefined) report.push({ table: `${database}.${table}`, ...result });
    }
  }
  return report;
}

function repairTable(dir: string): { parts: string[]; problem?: string } {
  const logsDir = join(dir, 'deduplication_logs');
  const logs = entries(logsDir)
    .map((name) => ({ path: join(logsDir, name), n: Number(logFile.exec(name)?.[1] ?? Number.NaN) }))
    .filter((file) => Number.isFinite(file.n))
    .sort((a, b) => a.n - b.n);
  if (logs.length === 0) return { parts: [] };
  if (logs[0]!.n === 0) return { parts: [], problem: 'a log numbered 0 (a format newer than chDB 3.4.0): left alone' };
  const texts = logs.map((file) => readFileSync(file.path, 'utf8'));
  const records: DedupRecord[] = [];
  for (const text of texts) {
    const parsed = parseRecords(text);
    if (parsed === undefined) return { parts: [], problem: 'a record this repair does not understand (a format newer than chDB 3.4.0): left alone' };
    records.push(...parsed);
  }
  let problem: string | undefined;
  const newest = texts.at(-1)!;
  const whole = newest.lastIndexOf('\n') + 1;
  if (whole < newest.length) {
    const fd = openSync(logs.at(-1)!.path, 'r+');
    try {
      ftruncateSync(fd, Buffer.byteLength(newest.slice(0, whole)));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    problem = `cut a torn last line of ${newest.length - whole} characters`;
  }
  const stale = staleRecords(records, entries(dir, true));
  if (stale.length > 0) {
    const fd = openSync(logs.at(-1)!.path, 'a');
    try {
      writeSync(fd, stale.map((record) => `2\t${record.part}\t${record.blockId}\n`).join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  return { parts: stale.map((record) => record.part), ...(problem === undefined ? {} : { problem }) };
}

/** Names in a directory (only subdirectories with `dirsOnly`); none when it does not exist. */
function entries(dir: string, dirsOnly = false): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => !dirsOnly || entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}
