// `prognos detect --input FILE.csv`: scores a timestamp,value CSV with the same detector and parameters as
// the anomaly processor (its defaults and ANOMALY_RECURRING_DAYS) and writes timestamp,value,anomaly_score.
// Offline and single-series: no bus, no store, no events; bad input is reported with its line number.

import { readFileSync } from 'node:fs';
import { createDetectorOutput, initDetector, stepDetector } from '../../models/anomaly/detector.ts';
import { anomalyConfigSchema, detectorParamsFor } from '../../processors/anomaly/config.ts';
import { loadSection } from '../config/section.ts';

const usage = 'usage: prognos detect --input FILE.csv   (CSV header: timestamp,value)';
const nabTimestamp = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;
const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i;

/** Input problem reported to the user as one line, exit code 2. */
class InputError extends Error {}

/**
 * Parses a timestamp as epoch ms: all-digit values are epoch milliseconds, `YYYY-MM-DD HH:MM:SS` (NAB)
 * and ISO 8601 without a zone are UTC, ISO 8601 with a zone is honoured. Returns NaN when unparsable.
 */
export function parseTimestamp(text: string): number {
  const t = text.trim();
  if (/^-?\d+$/.test(t)) return Number(t);
  const nab = nabTimestamp.exec(t);
  if (nab !== null) return Date.parse(`${nab[1] ?? ''}T${nab[2] ?? ''}Z`);
  if (/^\d{4}-\d{2}-\d{2}T/.test(t)) return Date.parse(hasZone.test(t) ? t : `${t}Z`);
  return NaN;
}

function inputPath(args: readonly string[]): string {
  const i = args.indexOf('--input');
  const path = i >= 0 ? args[i + 1] : undefined;
  if (path === undefined || path.startsWith('--')) throw new InputError(`missing --input FILE.csv\n${usage}`);
  return path;
}

function readInput(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new InputError(`cannot read ${path}: ${code}`, { cause: err });
  }
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').replace(/^\uFEFF/, '').trim().toLowerCase();
  if (header !== 'timestamp,value') {
    throw new InputError(`${path} line 1: expected header "timestamp,value", found "${lines[0] ?? ''}"`);
  }
  return lines;
}

interface Rows {
  tsText: string[];
  valueText: string[];
  tsMs: number[];
  values: number[];
}

/** Parses every data row before any output, so bad input never leaves a half-written result. */
function parseRows(lines: readonly string[], path: string): Rows {
  const rows: Rows = { tsText: [], valueText: [], tsMs: [], values: [] };
  for (let i = 1; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    const comma = line.indexOf(',');
    const tsText = comma < 0 ? line : line.slice(0, comma);
    const valueText = comma < 0 ? '' : line.slice(comma + 1).trim();
    const tsMs = parseTimestamp(tsText);
    const value = valueText === '' ? NaN : Number(valueText);
    if (!Number.isFinite(tsMs)) throw new InputError(`${path} line ${i + 1}: unparsable timestamp "${tsText}"`);
    if (!Number.isFinite(value)) throw new InputError(`${path} line ${i + 1}: value is not a finite number: "${valueText}"`);
    rows.tsText.push(tsText);
    rows.valueText.push(valueText);
    rows.tsMs.push(tsMs);
    rows.values.push(value);
  }
  return rows;
}

async function write(stdout: NodeJS.WritableStream, chunk: string): Promise<void> {
  if (!stdout.write(chunk)) await new Promise<void>((resolve) => stdout.once('drain', () => resolve()));
}

/** Formats a score with at most 6 decimals and no trailing zeros. */
function formatScore(score: number): string {
  return String(Math.round(score * 1e6) / 1e6);
}

/**
 * Runs `prognos detect`. Returns the exit code: 0 on success, 2 on bad usage or bad input (the message,
 * never a stack, goes to stderr). Output rows echo the timestamp and value as given.
 */
export async function runDetect(
  args: string[],
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream = process.stderr,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<number> {
  try {
    const { value: config, issues } = loadSection(anomalyConfigSchema, env);
    const issue = issues[0];
    if (issue !== undefined) throw new InputError(`${issue.env}: ${issue.message}`);
    const params = detectorParamsFor(config);
    const path = inputPath(args);
    const lines = readInput(path);
    const rows = parseRows(lines, path);
    const state = initDetector(params);
    const out = createDetectorOutput();
    let buffer = 'timestamp,value,anomaly_score\n';
    for (let i = 0; i < rows.tsMs.length; i++) {
      stepDetector(state, rows.tsMs[i] ?? 0, rows.values[i] ?? 0, params, out);
      buffer += `${rows.tsText[i] ?? ''},${rows.valueText[i] ?? ''},${formatScore(out.score)}\n`;
      if (buffer.length > 65_536) {
        await write(stdout, buffer);
        buffer = '';
      }
    }
    await write(stdout, buffer);
    return 0;
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    stderr.write(`prognos detect: ${err.message}\n`);
    return 2;
  }
}
