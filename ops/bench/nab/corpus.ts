// Reads the NAB corpus from disk: data files, label windows, profiles and stored detector results.
// IO only; scoring is in scorer.ts and detection in models/anomaly.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CostMatrix } from './scorer.ts';

/** One NAB data file: relative name (category/file.csv), raw timestamps, values, label windows. */
export interface CorpusFile {
  name: string;
  timestamps: string[];
  values: Float64Array;
  windows: [string, string][];
}

/** Profile names as NAB prints them, in report order. */
export const profileNames = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const;
/** One of the three NAB scoring profiles. */
export type ProfileName = (typeof profileNames)[number];

/** Parses a two-column CSV with a header line into its first and second columns. */
export function readTwoColumns(path: string): { first: string[]; second: Float64Array } {
  const lines = readFileSync(path, 'utf8').split('\n');
  const first: string[] = [];
  const values: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const comma = line.indexOf(',');
    first.push(line.slice(0, comma));
    values.push(Number(line.slice(comma + 1)));
  }
  return { first, second: Float64Array.from(values) };
}

/** Loads all data files (sorted by name) with their windows from combined_windows.json. */
export function loadCorpus(dir: string): CorpusFile[] {
  const windows = JSON.parse(readFileSync(join(dir, 'labels', 'combined_windows.json'), 'utf8')) as Record<
    string,
    [string, string][]
  >;
  const files: CorpusFile[] = [];
  for (const category of readdirSync(join(dir, 'data')).sort()) {
    for (const file of readdirSync(join(dir, 'data', category)).sort()) {
      if (!file.endsWith('.csv')) continue;
      const name = `${category}/${file}`;
      const { first, second } = readTwoColumns(join(dir, 'data', category, file));
      files.push({ name, timestamps: first, values: second, windows: windows[name] ?? [] });
    }
  }
  return files;
}

/** Loads the three cost matrices from config/profiles.json. */
export function loadProfiles(dir: string): Record<ProfileName, CostMatrix> {
  const raw = JSON.parse(readFileSync(join(dir, 'config', 'profiles.json'), 'utf8')) as Record<
    ProfileName,
    { CostMatrix: CostMatrix }
  >;
  return {
    standard: raw.standard.CostMatrix,
    reward_low_FP_rate: raw.reward_low_FP_rate.CostMatrix,
    reward_low_FN_rate: raw.reward_low_FN_rate.CostMatrix,
  };
}

/** Reads a stored detector's per-row anomaly_score for one corpus file, or undefined if absent. */
export function loadStoredScores(dir: string, detector: string, name: string): Float64Array | undefined {
  const path = join(dir, 'results', detector, name);
  if (!existsSync(path)) return undefined;
  return readTwoColumns(path).second;
}
