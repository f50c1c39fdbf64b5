// The embedded store's directory lock: one holder at a time; a lock left by a process that is gone is taken over.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockDataDir } from './data-lock.ts';

describe('lockDataDir', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'prognos-lock-'));
    path = join(dir, 'sub', 'chdb.lock');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the directory until released, then lets the next holder in', () => {
    const release = lockDataDir(path);
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
    expect(() => lockDataDir(path)).toThrow(expect.objectContaining({ code: 'DATA_DIR_LOCKED' }));
    release();
    expect(existsSync(path)).toBe(false);
    lockDataDir(path)();
  });

  it('refuses a lock held by another running process, naming its pid', () => {
    const owner = spawn('sleep', ['30']);
    try {
      lockDataDir(path)(); // creates the directory
      writeFileSync(path, `${owner.pid}\n`);
      expect(() => lockDataDir(path)).toThrow(expect.objectContaining({ code: 'DATA_DIR_LOCKED', details: { pid: owner.pid } }));
      expect(readFileSync(path, 'utf8')).toBe(`${owner.pid}\n`);
    } finally {
      owner.kill('SIGKILL');
    }
  });

  it('takes over a lock whose process is gone, or that names this process without it holding the lock', () => {
    const gone = spawnSync('true').pid;
    lockDataDir(path)();
    for (const stale of [gone, process.pid]) {
      writeFileSync(path, `${stale}\n`);
      const release = lockDataDir(path);
      expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
      release();
    }
  });
});
