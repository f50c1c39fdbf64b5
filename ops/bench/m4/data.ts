// Loads the M4 hourly train and test files (wide CSV: id then values, padded with empty cells).
// Does no scoring and no forecasting; the test half is only ever handed to the scorer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One M4 series: its id, the training values and the 48 held-out values. */
export interface M4Series {
  readonly id: string;
  readonly train: readonly number[];
  readonly test: readonly number[];
}

/** Parses one wide M4 CSV text into id -> values (quotes stripped, empty padding cells dropped). */
export function parseWideCsv(text: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const lines = text.split(/\r?\n/);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === undefined || line.trim() === '') continue;
    const cells = line.split(',').map((c) => c.replace(/"/g, '').trim());
    const id = cells[0] ?? '';
    const values: number[] = [];
    for (let j = 1; j < cells.length; j++) {
      const cell = cells[j] ?? '';
      if (cell === '' || cell === 'NA') continue;
      const v = Number(cell);
      if (!Number.isFinite(v)) throw new Error(`M4 file: series ${id} has a bad value "${cell}" in column ${j + 1}`);
      values.push(v);
    }
    out.set(id, values);
  }
  return out;
}

/** Reads Hourly-train.csv and Hourly-test.csv from `dir`, in file order, optionally only the first `limit`. */
export function loadM4Hourly(dir: string, limit = Infinity): M4Series[] {
  const train = parseWideCsv(readFileSync(join(dir, 'Hourly-train.csv'), 'utf8'));
  const test = parseWideCsv(readFileSync(join(dir, 'Hourly-test.csv'), 'utf8'));
  const series: M4Series[] = [];
  for (const [id, values] of train) {
    if (series.length >= limit) break;
    const held = test.get(id);
    if (held === undefined) throw new Error(`M4 files: series ${id} has no test row`);
    series.push({ id, train: values, test: held });
  }
  return series;
}
