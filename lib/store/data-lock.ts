// One process per embedded store directory: chDB takes no lock of its own, and the deduplication repair
// that runs before it opens (dedup-repair.ts) takes another process's insert in flight for a crash
// leftover. The lock is a file holding the owner's pid, created exclusively; a file whose pid is not
// running (the owner was killed) is taken over. A container restart can hand the new process the dead
// one's pid: a lock naming this process's own pid that this process does not hold is stale too.
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { PrognosError } from '../errors.ts';

const held = new Set<string>();

/** Take the lock at `path`, or throw DATA_DIR_LOCKED naming the running owner. Returns the release. */
export function lockDataDir(path: string): () => void {
  if (held.has(path)) throw new PrognosError('DATA_DIR_LOCKED', `${path} is already held by this process`);
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      held.add(path);
      return () => {
        if (!held.delete(path)) return;
        try {
          unlinkSync(path);
        } catch {
          // already gone: nothing to release
        }
      };
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
