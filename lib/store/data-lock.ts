// One process per embedded store directory: chDB takes no lock of its own, and the deduplication repair
// that runs before it opens (dedup-repair.ts) takes another process's insert in flight for a crash
// leftover. The lock is a file holding the owner's pid, created exclusively; a file whose pid is not
// running (the owner was killed) is taken over. A container restart can hand the new process the dead
// one's pid: a lock naming this process's own pid that this process does not hold is stale too. Stores
// of one process share the directory (chDB runs one engine per process): the lock counts them, and
// tells the caller whether this is the process's first hold (the only moment the repair may run).
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { PrognosError } from '../errors.ts';

/** Stores of this process holding each lock, and every lock it has ever held. */
const holders = new Map<string, number>();
const everHeld = new Set<string>();

/**
 * Take the lock at `path`, or throw DATA_DIR_LOCKED naming the running owner. `first`: this process had
 * never held it (the engine has not loaded the directory in this process yet).
 */
export function lockDataDir(path: string): { release: () => void; first: boolean } {
  const count = holders.get(path) ?? 0;
  if (count === 0) acquire(path);
  holders.set(path, count + 1);
  const first = !everHeld.has(path);
  everHeld.add(path);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    const left = (holders.get(path) ?? 1) - 1;
    if (left > 0) {
      holders.set(path, left);
      return;
    }
    holders.delete(path);
    try {
      unlinkSync(path);
    } catch {
      // already gone: nothing to release
    }
  };
  return { release, first };
}

function acquire(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
    }
    const owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
    if (Number.isInteger(owner) && owner !== process.pid && running(owner)) {
      throw new PrognosError('DATA_DIR_LOCKED', `the embedded store is in use by process ${owner} (lock file ${path}); stop it first, or give this process another PROGNOS_DATA_DIR`, { details: { pid: owner } });
    }
    unlinkSync(path); // stale: its owner is gone; the next attempt creates it afresh (a racer's wins)
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}
