// The deduplication repair's reading of chDB's files: part names, log records, which records are stale,
// and what it writes back (on a chDB-like directory tree; the engine itself is in dedup-repair.int.test.ts).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { forgetUncommittedBlocks, parsePartName, parseRecords, staleRecords, type DedupRecord } from './dedup-repair.ts';

const add = (part: string, blockId: string): DedupRecord => ({ op: 'add', part, blockId });

describe('parsePartName', () => {
  it('reads partition and block range, with or without a mutation version', () => {
    expect(parsePartName('20261122_3_7_2')).toEqual({ partition: '20261122', min: 3, max: 7 });
    expect(parsePartName('all_1_1_0_5')).toEqual({ partition: 'all', min: 1, max: 1 });
    // temporary and detached directories, files, and names whose block range runs backwards (old syntax)
    for (const other of ['tmp_insert_all_1_1_1', 'delete_tmp_all_1_1_1', 'detached', 'all_1_1', 'format_version.txt', '20261101_20261130_1_5_1']) expect(parsePartName(other)).toBeUndefined();
  });
});

describe('parseRecords', () => {
  it('reads ADD and DROP lines and leaves out an unterminated last line, even one that looks whole', () => {
    const drop = { op: 'drop', part: 'all_1_1_1', blockId: 'all_1_2' };
    expect(parseRecords('1\tall_1_1_1\tall_1_2\n2\tall_1_1_1\tall_1_2\n1\tall_2_2')).toEqual([add('all_1_1_1', 'all_1_2'), drop]);
    expect(parseRecords('1\tall_1_1_1\tall_1_2\n1\tall_2_2_1\tall_2_3')).toEqual([add('all_1_1_1', 'all_1_2')]);
  });
  it('does not read a log with a line it does not understand', () => {
    expect(parseRecords('1\tall_1_1_1\tall_1_2\n3\tall_1_1_1\tall_1_2\n')).toBeUndefined();
    expect(parseRecords('1 all_1_1_1 all_1_2\n')).toBeUndefined();
  });
});

describe('staleRecords', () => {
  it('is the live records whose part no directory covers', () => {
    const records = [add('p_1_1_1', 'b1'), add('p_2_2_1', 'b2'), add('p_3_3_1', 'b3'), add('q_4_4_1', 'b4'), add('p_5_5_1', 'b5'), { op: 'drop' as const, part: 'p_5_5_1', blockId: 'b5' }];
    // p_1_2_2 is a merge of blocks 1 and 2; block 3 never became a part; q_4_4_1 exists as a mutation of itself; block 5 was dropped
    expect(staleRecords(records, ['p_1_2_2', 'q_4_4_1_9', 'detached'])).toEqual([add('p_3_3_1', 'b3')]);
  });
  it('does not take a part of another partition with the same block numbers as cover', () => {
    expect(staleRecords([add('p_1_1_1', 'b1')], ['q_1_1_1'])).toEqual([add('p_1_1_1', 'b1')]);
  });
  it('keeps records whose part name it does not understand', () => {
    expect(staleRecords([add('odd-name', 'b1')], [])).toEqual([]);
  });
});

describe('forgetUncommittedBlocks', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** A chDB-like layout: data/<db>/<table> links to store/<x>/<uuid> holding parts and deduplication_logs. */
  function table(name: string, parts: string[], logs: Record<string, string>): string {
    const dir = join(root, 'store', 'abc', name);
    for (const part of parts) mkdirSync(join(dir, part), { recursive: true });
    mkdirSync(join(dir, 'deduplication_logs'), { recursive: true });
    for (const [file, text] of Object.entries(logs)) writeFileSync(join(dir, 'deduplication_logs', file), text);
    mkdirSync(join(root, 'data', 'db'), { recursive: true });
    symlinkSync(join('..', '..', 'store', 'abc', name), join(root, 'data', 'db', name));
    return join(dir, 'deduplication_logs');
  }

  it('appends a DROP record for each block whose part is gone to the newest log, once', () => {
    root = mkdtempSync(join(tmpdir(), 'prognos-dedup-'));
    // numbered 9 and 10, so that only a numeric sort finds the newest; block 9's part is still a tmp_ directory
    const logs = table('samples', ['all_1_1_1', 'tmp_insert_all_9_9_1'], {
      'deduplication_log_10.txt': '1\tall_2_2_1\tall_22\n2\tall_3_3_1\tall_33\n',
      'deduplication_log_9.txt': '1\tall_1_1_1\tall_11\n1\tall_3_3_1\tall_33\n1\tall_9_9_1\tall_99\n',
    });
    table('other', ['all_1_1_1'], { 'deduplication_log_1.txt': '1\tall_1_1_1\tall_11\n' });
    expect(forgetUncommittedBlocks(root)).toEqual([{ table: 'db.samples', parts: ['all_9_9_1', 'all_2_2_1'] }]);
    expect(readFileSync(join(logs, 'deduplication_log_10.txt'), 'utf8')).toBe('1\tall_2_2_1\tall_22\n2\tall_3_3_1\tall_33\n2\tall_9_9_1\tall_99\n2\tall_2_2_1\tall_22\n');
    expect(readFileSync(join(logs, 'deduplication_log_9.txt'), 'utf8')).toBe('1\tall_1_1_1\tall_11\n1\tall_3_3_1\tall_33\n1\tall_9_9_1\tall_99\n');
    expect(forgetUncommittedBlocks(root)).toEqual([]);
  });

  it('cuts a torn last line off the newest log before it appends', () => {
    root = mkdtempSync(join(tmpdir(), 'prognos-dedup-'));
    const logs = table('samples', [], { 'deduplication_log_1.txt': '1\tall_2_2_1\tall_22\n1\tall_3_3_1\tall_3' });
    expect(forgetUncommittedBlocks(root)).toEqual([{ table: 'db.samples', parts: ['all_2_2_1'], problem: 'cut a torn last line of 17 characters' }]);
    expect(readFileSync(join(logs, 'deduplication_log_1.txt'), 'utf8')).toBe('1\tall_2_2_1\tall_22\n2\tall_2_2_1\tall_22\n');
  });

  it('leaves alone a log it does not understand, and a directory without chDB data', () => {
    root = mkdtempSync(join(tmpdir(), 'prognos-dedup-'));
    const text = '1\tall_2_2_1\tall_22\n3\tall_2_2_1\tall_22\n1\tall_9'; // not even its torn tail is cut
    const logs = table('samples', [], { 'deduplication_log_1.txt': text });
    table('newer', [], { 'deduplication_log_0.txt': '', 'deduplication_log_1.txt': '1\tall_2_2_1\tall_22\n' });
    expect(forgetUncommittedBlocks(root).map((entry) => [entry.table, entry.parts])).toEqual([['db.newer', []], ['db.samples', []]]);
    expect(readFileSync(join(logs, 'deduplication_log_1.txt'), 'utf8')).toBe(text);
    expect(forgetUncommittedBlocks(join(root, 'missing'))).toEqual([]);
  });
});
