// Tests `prognos detect` end to end on temporary CSV files: output format, timestamp forms, exit codes
// and error messages. No network; files live in a fresh temp directory.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseTimestamp, runDetect } from './detect.ts';

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

const dir = mkdtempSync(join(tmpdir(), 'prognos-detect-'));
function csv(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = sink();
  const err = sink();
  const code = await runDetect(args, out.stream, err.stream);
  return { code, out: out.text(), err: err.text() };
}

describe('parseTimestamp', () => {
  it.each([
    ['2014-04-01 00:00:00', Date.UTC(2014, 3, 1)],
    ['2014-04-01T00:05:00', Date.UTC(2014, 3, 1, 0, 5)],
    ['2014-04-01T02:00:00+02:00', Date.UTC(2014, 3, 1)],
    ['2014-04-01T00:00:00.000Z', Date.UTC(2014, 3, 1)],
    ['1396310400000', Date.UTC(2014, 3, 1)],
  ])('parses %s as UTC epoch ms', (text, expected) => {
    expect(parseTimestamp(text)).toBe(expected);
  });

  it.each([['yesterday'], ['2014-13-45 99:00:00'], ['']])('rejects %j', (text) => {
    expect(parseTimestamp(text)).toBeNaN();
  });
});

describe('runDetect', () => {
  const rows = Array.from({ length: 300 }, (_, i) => {
    const ts = new Date(Date.UTC(2014, 3, 1) + i * 300_000).toISOString().slice(0, 19).replace('T', ' ');
    return `${ts},${i === 250 ? 500 : 10 + (i % 7)}`;
  });

  it('writes timestamp,value,anomaly_score for every row and exits 0', async () => {
    const result = await run(['--input', csv('ok.csv', `timestamp,value\n${rows.join('\n')}\n`)]);
    expect(result.code).toBe(0);
    const lines = result.out.trim().split('\n');
    expect(lines[0]).toBe('timestamp,value,anomaly_score');
    expect(lines).toHaveLength(301);
    expect(lines[1]).toBe('2014-04-01 00:00:00,10,0');
    const scores = lines.slice(1).map((l) => Number(l.split(',')[2]));
    expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
    expect(scores[250]).toBeGreaterThan(0.5);
  });

  it('accepts epoch-ms timestamps and CRLF line ends', async () => {
    const body = `timestamp,value\r\n${Array.from({ length: 10 }, (_, i) => `${1396310400000 + i * 60_000},${i}`).join('\r\n')}\r\n`;
    const result = await run(['--input', csv('epoch.csv', body)]);
    expect(result.code).toBe(0);
    expect(result.out.trim().split('\n')).toHaveLength(11);
  });

  it.each([
    ['a missing file', () => ['--input', join(dir, 'absent.csv')], /cannot read .*absent\.csv: ENOENT/],
    ['no --input', () => [], /missing --input/],
    ['a bad header', () => ['--input', csv('hdr.csv', 'time,val\n2014-04-01 00:00:00,1\n')], /line 1: expected header/],
    ['a bad timestamp', () => ['--input', csv('ts.csv', 'timestamp,value\n2014-04-01 00:00:00,1\nnope,2\n')], /line 3: unparsable timestamp "nope"/],
    ['a bad value', () => ['--input', csv('val.csv', 'timestamp,value\n2014-04-01 00:00:00,abc\n')], /line 2: value is not a finite number/],
  ])('exits 2 with a one-line message on %s', async (_name, args, message) => {
    const result = await run(args());
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toMatch(message);
    expect(result.err).not.toMatch(/\n\s+at /);
  });
});

describe('detect: ANOMALY_RECURRING_DAYS, as the processor reads it', () => {
  // 5-minute points over 9 days: deterministic noise, and a large spike at 03:00 UTC every day from day 1.
  const step = 300_000;
  const start = Date.UTC(2024, 0, 1);
  const spikeAt = (day: number) => (day * 86_400_000 + 3 * 3_600_000) / step;
  const rows = Array.from({ length: 9 * 288 }, (_, i) => {
    const value = 100 + 3 * Math.sin(i * 1.7) + 2 * Math.sin(i * 0.31) + (i % 288 === spikeAt(0) ? 400 : 0);
    return `${new Date(start + i * step).toISOString()},${value.toFixed(3)}`;
  });
  const path = csv('daily.csv', `timestamp,value\n${rows.join('\n')}\n`);
  const scoresOnDays = (out: string) => {
    const scores = out.trim().split('\n').slice(1).map((line) => Number(line.split(',')[2]));
    return [1, 2, 3, 4, 5, 6, 7, 8].map((day) => scores[spikeAt(day)] ?? NaN);
  };
  async function runWith(env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
    const out = sink();
    const err = sink();
    const code = await runDetect(['--input', path], out.stream, err.stream, env);
    return { code, out: out.text(), err: err.text() };
  }

  it('stops paging a daily spike after the default 3 days, and never with 0', async () => {
    const byDefault = scoresOnDays((await runWith({})).out);
    const off = scoresOnDays((await runWith({ ANOMALY_RECURRING_DAYS: '0' })).out);
    // days 5..8 (well past the 3-day streak): damped below the fire level by default, paging with 0
    for (const day of [4, 5, 6, 7]) {
      expect(byDefault[day]).toBeLessThan(0.5);
      expect(off[day]).toBeGreaterThanOrEqual(0.5);
    }
  });

  it('refuses an invalid value with the variable named and exit code 2', async () => {
    const result = await runWith({ ANOMALY_RECURRING_DAYS: '-1' });
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/ANOMALY_RECURRING_DAYS/);
    expect(result.out).toBe('');
  });
});
