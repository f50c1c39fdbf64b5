// Crash-test support: run lib/testing/crash-child.ts as a separate process (optionally SIGKILLed a given
// time after it started), with seeded kill delays, and read the table digest it prints at the end.
import { spawn } from 'node:child_process';

/** Seeded delays (ms) so a failing run can be repeated exactly. */
export function killDelays(seed: number, count: number, minMs: number, spreadMs: number): number[] {
  let s = seed;
  return Array.from({ length: count }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return minMs + (s % spreadMs);
  });
}

/** Run the child; SIGKILL it `killAfterMs` after it reports started, or let it run until caught up. */
export function runCrashChild(nowMs: number, env: NodeJS.ProcessEnv, killAfterMs?: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', 'lib/testing/crash-child.ts', String(nowMs), ...(killAfterMs === undefined ? ['--until-caught-up'] : [])];
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (killAfterMs !== undefined && out.includes('started')) setTimeout(() => child.kill('SIGKILL'), killAfterMs).unref();
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
  });
}

/** The digest JSON the child prints as its last line. */
export function digestOf(out: string): Record<string, string> {
  return JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, string>;
}

/** Kill `kills` times, then finish; returns the final digest and how many runs were really killed. */
export async function crashThenFinish(nowMs: number, env: NodeJS.ProcessEnv, delays: readonly number[], compareWith: string) {
  let killed = 0;
  for (const delay of delays) {
    const run = await runCrashChild(nowMs, env, delay);
    if (run.code !== 0) killed++;
  }
  const final = await runCrashChild(nowMs, { ...env, COMPARE_DATABASE: compareWith });
  return { killed, code: final.code, digest: final.code === 0 ? digestOf(final.out) : {} };
}
