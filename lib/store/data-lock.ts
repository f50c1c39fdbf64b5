// One process per embedded store directory: chDB takes no lock of its own, and the deduplication repair
// that runs before it opens (dedup-repair.ts) takes another process's insert in flight for a crash
// leftover. The lock is a file holding the owner's pid, created exclusively; a file whose pid is not
// running (the owner was killed) is taken over. A container restart can hand the new process the dead
// one's pid: a lock naming this process's own pid that this process does not hold is stale too. Stores
// of one process share the directory (chDB runs one engine per process): the lock counts them, and
// tells the caller whether this is the process's first hold (the only moment the repair may run).
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PrognosError } from '../errors.ts';

/** Stores of this process holding each lock, and every lock it has ever held. */
const holders = new Map<string, number>();
const everHeld = new Set<string>();

/**
 * Take the lock at `path`, or throw DATA_DIR_LOCKED naming the running owner. `first`: this process had
 * not opened the directory before (the engine has not loaded it here yet, so the repair may run).
 * `release(false)` gives back a hold whose open failed before the engine loaded the directory.
 */
export function lockDataDir(lockPath: string): { release: (loaded?: boolean) => void; first: boolean } {
  const path = resolve(lockPath); // one directory, however it is written
  const count = holders.get(path) ?? 0;
  if (count === 0) acquire(path);
  holders.set(path, count + 1);
  const first = !everHeld.has(path);
  everHeld.add(path);
  let released = false;
  const release = (loaded = true) => {
    if (released) return;
    released = true;
    if (first && !loaded) everHeld.delete(path);
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

/**
 * Creates the lock file with this process's pid, whole (written to a temporary file, then linked into
 * place, which fails if the lock exists), taking over a stale one. Two processes that find the same stale
 * lock at the same instant can both take it over: a start-up race this does not close.
 */
function acquire(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}`;
  writeFileSync(temporary, `${process.pid}\n`);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(temporary, path);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      let owner: number;
      try {
        owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile: try again
        throw err;
      }
      if (Number.isInteger(owner) && owner !== process.pid && running(owner)) {
        throw new PrognosError('DATA_DIR_LOCKED', `the embedded store is in use by process ${owner} (lock file ${path}); stop it first, give this process another PROGNOS_DATA_DIR, or delete the file if that process is not prognos`, { details: { pid: owner } });
      }
      try {
        unlinkSync(path); // stale: its owner is gone
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    throw new PrognosError('DATA_DIR_LOCKED', `could not take the lock file ${path}: it keeps changing hands`);
  } finally {
    unlinkSync(temporary);
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
