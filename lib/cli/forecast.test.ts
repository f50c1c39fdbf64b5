// prognos forecast end to end on temporary CSV files: output shape, multi-series input, and every input error.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseHourlyCsv, parseTimestamp, runForecast } from './forecast.ts';

const dir = mkdtempSync(join(tmpdir(), 'prognos-forecast-'));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, done) { chunks.push(chunk.toString()); done(); } });
  return { stream, text: () => chunks.join('') };
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = sink();
  const err = sink();
  const code = await runForecast(args, out.stream, err.stream);
  return { code, out: out.text(), err: err.text() };
}

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const hourly = (n: number, fmt: (ms: number) => string, prefix = ''): string =>
  Array.from({ length: n }, (_, t) => `${prefix}${fmt(T0 + t * HOUR)},${(100 + 20 * Math.sin((2 * Math.PI * t) / 24)).toFixed(3)}`).join('\n');

describe('parseTimestamp', () => {
  it.each([
    ['2024-01-01T05:00:00Z', T0 + 5 * HOUR],
    ['2024-01-01T05:00:00+01:00', T0 + 4 * HOUR],
    ['2024-01-01 05:00:00', T0 + 5 * HOUR],
    [String(T0 + 5 * HOUR), T0 + 5 * HOUR],
  ])('reads %s as UTC', (text, ms) => expect(parseTimestamp(text)).toBe(ms));

  it('rejects junk', () => expect(parseTimestamp('yesterday')).toBeNaN());
});

describe('parseHourlyCsv', () => {
  it('fills a missing hour with NaN and keeps series in order of appearance', () => {
    const s = parseHourlyCsv('series,timestamp,value\nb,2024-01-01 00:00:00,1\na,2024-01-01 00:00:00,5\nb,2024-01-01 02:00:00,3\n');
    expect(s.map((x) => x.name)).toEqual(['b', 'a']);
    expect(s[0]?.values).toEqual([1, NaN, 3]);
  });
});

describe('runForecast', () => {
  it('writes 48 hourly forecast rows with ordered bands after the last input hour', async () => {
    const path = file('one.csv', `timestamp,value\n${hourly(24 * 10, (ms) => new Date(ms).toISOString())}\n`);
    const r = await run(['--input', path, '--horizon', '48']);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe('series,timestamp,forecast,lo80,hi80,lo95,hi95');
    expect(lines).toHaveLength(49);
    expect(lines[1]?.startsWith(',2024-01-11T00:00:00Z,')).toBe(true);
    expect(lines[48]?.startsWith(',2024-01-12T23:00:00Z,')).toBe(true);
    for (const line of lines.slice(1)) {
      const [, , f, lo80, hi80, lo95, hi95] = line.split(',').map(Number);
      expect(lo95).toBeLessThanOrEqual(lo80 ?? NaN);
      expect(lo80).toBeLessThanOrEqual(f ?? NaN);
      expect(hi80).toBeGreaterThanOrEqual(f ?? NaN);
      expect(hi95).toBeGreaterThanOrEqual(hi80 ?? NaN);
    }
  });

  it('names each series of a series,timestamp,value file (epoch ms timestamps)', async () => {
    const body = [hourly(60, String, 'web-1,'), hourly(60, String, 'db-1,')].join('\n');
    const r = await run(['--input', file('multi.csv', `series,timestamp,value\n${body}\n`), '--horizon', '3']);
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n').slice(1).map((l) => l.split(',')[0])).toEqual(['web-1', 'web-1', 'web-1', 'db-1', 'db-1', 'db-1']);
  });

  it.each([
    ['a missing file', () => ['--input', join(dir, 'missing.csv')], /cannot read .*missing\.csv/],
    ['a bad header', () => ['--input', file('h.csv', 'time,val\n1,2\n')], /line 1: bad header/],
    ['an unparsable value', () => ['--input', file('v.csv', 'timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 01:00:00,abc\n')], /line 3: unparsable value "abc"/],
    ['an unparsable timestamp', () => ['--input', file('t.csv', 'timestamp,value\nnoon,1\n')], /line 2: unparsable timestamp "noon"/],
    ['non-hourly data', () => ['--input', file('n.csv', 'timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:30:00,2\n')], /line 3: .*non-hourly/],
    ['a duplicate hour', () => ['--input', file('d.csv', 'timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:00:00,2\n')], /line 3: duplicate timestamp/],
    ['a bad horizon', () => ['--input', file('ok.csv', 'timestamp,value\n2024-01-01 00:00:00,1\n'), '--horizon', 'soon'], /--horizon must be/],
    ['no --input', () => [], /--input FILE.csv is required/],
  ])('exits 2 with one clear line on %s', async (_what, args, message) => {
    const r = await run(args());
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});
