// Crash test (correctness contract): >= 1,000,000 samples through the embedded pipeline while the process
// is SIGKILLed at random moments, at least 10 times, and restarted; at the end every sample is stored
// exactly once and every derived table equals that of an uninterrupted run of the same input.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dataDir = mkdtempSync(join(tmpdir(), 'prognos-crash-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const nowMs = Math.floor(Date.now() / 3_600_000) * 3_600_000;
const hosts = 20;
const hours = 20; // 20 hosts x 7 series x 7,200 ticks = 1,008,000 samples
const expectedSamples = hosts * 7 * hours * 360;

function env(database: string): NodeJS.ProcessEnv {
  return {
    ...process.env, PROGNOS_DATA_DIR: dataDir, CLICKHOUSE_DATABASE: database, BUS_METRICS_TOPIC: `${database}.metrics`, LOG_LEVEL: 'warn', BUS_FSYNC: 'false',
    SYNTHETIC_HOSTS: String(hosts), SYNTHETIC_BACKFILL_HOURS: String(hours), SYNTHETIC_TENANT: 'crash', PROCESSOR_SNAPSHOT_INTERVAL_MS: '2000',
  };
}

/** Seeded delays so a failing run can be repeated. */
function delays(seed: number, count: number): number[] {
  let s = seed;
  return Array.from({ length: count }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return 800 + (s % 2500);
  });
}

function runChild(database: string, killAfterMs?: number, extraEnv: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', 'lib/testing/crash-child.ts', String(nowMs), ...(killAfterMs === undefined ? ['--until-caught-up'] : [])];
    const child = spawn(process.execPath, args, { env: { ...env(database), ...extraEnv }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (killAfterMs !== undefined && out.includes('started')) setTimeout(() => child.kill('SIGKILL'), killAfterMs).unref();
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
  });
}

function digestOf(out: string): Record<string, string> {
  const line = out.trim().split('\n').at(-1)!;
  return JSON.parse(line) as Record<string, string>;
}

describe('crash safety', () => {
  it('ends with exactly the rows of an uninterrupted run after 10 SIGKILLs', async () => {
    const reference = await runChild('reference');
    expect(reference.code).toBe(0);
    const expected = digestOf(reference.out);
    expect(Number(expected['rollup_1m_count'])).toBe(expectedSamples);
    expect(Number(expected['samples_unique'])).toBe(expectedSamples);

    let kills = 0;
    for (const delay of delays(20261122, 10)) {
      const run = await runChild('crashed', delay);
      if (run.code === 0) break; // finished before the kill landed: nothing left to interrupt
      kills++;
    }
    expect(kills).toBeGreaterThanOrEqual(10);
    const final = await runChild('crashed', undefined, { COMPARE_DATABASE: 'reference' });
    expect(final.code).toBe(0);
    const { samples_1m_sum_mismatches: m1, samples_1h_sum_mismatches: m2, ...got } = digestOf(final.out);
    expect(got).toEqual(expected);
    expect([m1, m2]).toEqual(['0', '0']);
  }, 600_000);
});
