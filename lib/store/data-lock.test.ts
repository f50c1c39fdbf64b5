// The embedded store's directory lock: one process at a time, shared by that process's stores; a lock
// left by a process that is gone is taken over.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative as relativePath } from 'node:path';
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

  it('is shared by this process\'s holders, says which hold was the first, and goes when the last lets go', () => {
    const a = lockDataDir(path);
    const b = lockDataDir(path);
    expect([a.first, b.first]).toEqual([true, false]);
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
    a.release();
    a.release(); // twice is once
    expect(existsSync(path)).toBe(true);
    b.release();
    expect(existsSync(path)).toBe(false);
    const again = lockDataDir(path);
    expect(again.first).toBe(false); // this process has loaded the directory before
    again.release();
  });

  it('is one lock however the path is written', () => {
    const absolute = lockDataDir(path);
    const relative = lockDataDir(relativePath(process.cwd(), path));
    expect(relative.first).toBe(false);
    absolute.release();
    expect(existsSync(path)).toBe(true);
    relative.release();
    expect(existsSync(path)).toBe(false);
  });

  it('a first hold given back before the engine loaded leaves the next hold first', () => {
    lockDataDir(path).release(false);
    const next = lockDataDir(path);
    expect(next.first).toBe(true);
    next.release();
    expect(readdirSync(join(dir, 'sub'))).toEqual([]); // no lock, no temporary file
  });

  it('refuses a lock held by another running process, naming its pid', () => {
    const owner = spawn('sleep', ['30']);
    try {
      lockDataDir(path).release(); // creates the directory
      writeFileSync(path, `${owner.pid}\n`);
      expect(() => lockDataDir(path)).toThrow(expect.objectContaining({ code: 'DATA_DIR_LOCKED', details: { pid: owner.pid } }));
      expect(readFileSync(path, 'utf8')).toBe(`${owner.pid}\n`);
    } finally {
      owner.kill('SIGKILL');
    }
  });

  it('takes over a lock whose process is gone, or that names this process without it holding the lock', () => {
    const gone = spawnSync('true').pid;
    lockDataDir(path).release();
    for (const stale of [gone, process.pid]) {
      writeFileSync(path, `${stale}\n`);
      const lock = lockDataDir(path);
      expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
      lock.release();
    }
  });
});
