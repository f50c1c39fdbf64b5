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
    for (const other of ['tmp_insert_all_1_1_1', 'delete_tmp_all_1_1_1', 'detached', 'all_1_1', 'format_version.txt']) expect(parsePartName(other)).toBeUndefined();
  });
});

describe('parseRecords', () => {
  it('reads ADD and DROP lines and leaves out a torn tail', () => {
    expect(parseRecords('1\tall_1_1_1\tall_1_2\n2\tall_1_1_1\tall_1_2\n1\tall_2_2')).toEqual([add('all_1_1_1', 'all_1_2'), { op: 'drop', part: 'all_1_1_1', blockId: 'all_1_2' }]);
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
    const logs = table('samples', ['all_1_1_1', 'tmp_insert_all_9_9_1'], { 'deduplication_log_2.txt': '1\tall_2_2_1\tall_22\n', 'deduplication_log_1.txt': '1\tall_1_1_1\tall_11\n' });
    table('other', ['all_1_1_1'], { 'deduplication_log_1.txt': '1\tall_1_1_1\tall_11\n' });
    expect(forgetUncommittedBlocks(root)).toEqual([{ table: 'db.samples', parts: ['all_2_2_1'] }]);
    expect(readFileSync(join(logs, 'deduplication_log_2.txt'), 'utf8')).toBe('1\tall_2_2_1\tall_22\n2\tall_2_2_1\tall_22\n');
    expect(readFileSync(join(logs, 'deduplication_log_1.txt'), 'utf8')).toBe('1\tall_1_1_1\tall_11\n');
    expect(forgetUncommittedBlocks(root)).toEqual([]);
  });

  it('leaves a log with a torn last line alone, and a directory without chDB data', () => {
    root = mkdtempSync(join(tmpdir(), 'prognos-dedup-'));
    const logs = table('samples', [], { 'deduplication_log_1.txt': '1\tall_2_2_1\tall_22\n1\tall_3' });
    expect(forgetUncommittedBlocks(root)).toEqual([]);
    expect(readFileSync(join(logs, 'deduplication_log_1.txt'), 'utf8')).toBe('1\tall_2_2_1\tall_22\n1\tall_3');
    expect(forgetUncommittedBlocks(join(root, 'missing'))).toEqual([]);
  });
});
