// `prognos forecast --input FILE.csv --horizon 48`: reads an hourly CSV (one or many series), fits the same
// forecaster the processor uses (defaultForecasterParams) and writes forecasts with 80%/95% intervals as CSV.
// Does not read ClickHouse or the bus, and never guesses a frequency: non-hourly input is an error (exit 2).
import { readFileSync } from 'node:fs';
import { PrognosError, messageOf } from '../errors.ts';
import { defaultForecasterParams, fitForecaster, forecast } from '../../models/forecast/index.ts';

const HOUR_MS = 3_600_000;
/** Longest series span accepted (about 114 years of hours): guards against unit mix-ups filling memory. */
const MAX_GRID_HOURS = 1_000_000;
const USAGE = 'usage: prognos forecast --input FILE.csv [--horizon 48] [--series NAME]\n' +
  '  FILE.csv: header timestamp,value or series,timestamp,value; hourly rows; timestamps ISO 8601,\n' +
  '  "YYYY-MM-DD HH:MM:SS" (UTC) or epoch ms; an empty value marks a missing hour.\n';

/** One input series on the hourly grid (NaN for missing hours). */
export interface HourlySeries {
  readonly name: string;
  readonly startMs: number;
  readonly values: number[];
}

function inputError(message: string, details: Record<string, unknown> = {}): PrognosError {
  return new PrognosError('BAD_REQUEST', message, { details });
}

/** Parses epoch ms, ISO 8601 or "YYYY-MM-DD HH:MM:SS"; a time without a zone is UTC. NaN when unparsable. */
export function parseTimestamp(text: string): number {
  const s = text.trim();
  if (/^\d{9,}$/.test(s)) return Number(s);
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (m === null) return /^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T00:00:00Z`) : NaN;
  return Date.parse(`${m[1]}T${m[2]}${m[3] ?? 'Z'}`);
}

/** Parses the CSV text into hourly series, in order of first appearance. Throws PrognosError on bad input. */
export function parseHourlyCsv(text: string, defaultName = ''): HourlySeries[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((c) => c.trim().replace(/^"|"$/g, '').toLowerCase());
  const named = header.join(',') === 'series,timestamp,value';
  if (!named && header.join(',') !== 'timestamp,value') {
    throw inputError(`line 1: bad header "${lines[0] ?? ''}", expected "timestamp,value" or "series,timestamp,value"`);
  }
  const points = new Map<string, { t: number; v: number; line: number }[]>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const cells = line.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    if (cells.length !== header.length) throw inputError(`line ${i + 1}: expected ${header.length} columns, got ${cells.length}`, { line: i + 1 });
    const [name, ts, raw] = named ? cells : [defaultName, ...cells];
    const t = parseTimestamp(ts ?? '');
    if (!Number.isFinite(t)) throw inputError(`line ${i + 1}: unparsable timestamp "${ts ?? ''}"`, { line: i + 1 });
    const v = raw === '' ? NaN : Number(raw);
    if (raw !== '' && !Number.isFinite(v)) throw inputError(`line ${i + 1}: unparsable value "${raw ?? ''}"`, { line: i + 1 });
    const key = name ?? '';
    const list = points.get(key) ?? [];
    list.push({ t, v, line: i + 1 });
    points.set(key, list);
  }
  if (points.size === 0) throw inputError('no data rows after the header');
  return [...points].map(([name, list]) => toGrid(name, list));
}

/** Sorts one series' points and places them on the hourly grid; duplicates and off-grid steps are errors. */
function toGrid(name: string, list: { t: number; v: number; line: number }[]): HourlySeries {
  list.sort((a, b) => a.t - b.t);
  const first = list[0];
  if (first === undefined) throw inputError(`series "${name}" has no rows`);
  const values: number[] = [];
  for (const p of list) {
    const offset = (p.t - first.t) / HOUR_MS;
    if (!Number.isInteger(offset)) throw inputError(`line ${p.line}: timestamp is not on the hourly grid of series "${name}" (non-hourly data)`, { line: p.line });
    if (offset > MAX_GRID_HOURS) throw inputError(`line ${p.line}: series "${name}" spans more than ${MAX_GRID_HOURS} hours`, { line: p.line });
    if (offset < values.length) throw inputError(`line ${p.line}: duplicate timestamp in series "${name}"`, { line: p.line });
    while (values.length < offset) values.push(NaN);
    values.push(p.v);
  }
  return { name, startMs: first.t, values };
}

function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw inputError(`${name} needs a value`);
  return v;
}

const num = (v: number): string => (Number.isFinite(v) ? String(Number(v.toPrecision(10))) : '');
const csvName = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Forecast rows (no header) for one series. */
export function forecastRows(series: HourlySeries, horizon: number): string[] {
  const f = forecast(fitForecaster(series.values, defaultForecasterParams), horizon, defaultForecasterParams);
  const lastMs = series.startMs + (series.values.length - 1) * HOUR_MS;
  return f.mean.map((m, i) => {
    const ts = new Date(lastMs + (i + 1) * HOUR_MS).toISOString().replace('.000Z', 'Z');
    return [csvName(series.name), ts, num(m), num(f.lo80[i] ?? NaN), num(f.hi80[i] ?? NaN), num(f.lo95[i] ?? NaN), num(f.hi95[i] ?? NaN)].join(',');
  });
}

/**
 * Runs `prognos forecast`. Writes CSV `series,timestamp,forecast,lo80,hi80,lo95,hi95` to stdout and returns
 * 0; on bad input writes one line (no stack) to stderr and returns 2.
 */
export async function runForecast(args: string[], stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) { stdout.write(USAGE); return 0; }
  try {
    const input = option(args, '--input');
    if (input === undefined) throw inputError('--input FILE.csv is required');
    const horizonText = option(args, '--horizon') ?? String(defaultForecasterParams.horizon);
    const horizon = Number(horizonText);
    if (!Number.isInteger(horizon) || horizon < 1 || horizon > 24 * 366) throw inputError(`--horizon must be a whole number of hours from 1 to 8784, got "${horizonText}"`);
    let text: string;
    try {
      text = readFileSync(input, 'utf8');
    } catch (err) {
      throw new PrognosError('BAD_REQUEST', `cannot read ${input}: ${messageOf(err)}`, { cause: err });
    }
    const series = parseHourlyCsv(text, option(args, '--series') ?? '');
    const out = ['series,timestamp,forecast,lo80,hi80,lo95,hi95'];
    for (const s of series) out.push(...forecastRows(s, horizon));
    stdout.write(`${out.join('\n')}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof PrognosError)) throw err;
    stderr.write(`prognos forecast: ${err.message}\n`);
    return 2;
  }
}
