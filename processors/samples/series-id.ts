// Stable series identity: a 64-bit hash of tenant, metric and the sorted label set, as a decimal string
// (UInt64 in ClickHouse). The same series always gets the same id, in every process and on every replay.
// Ids are memoised (bounded): a series arrives in every batch, and SHA-1 would dominate.
import { hash } from 'node:crypto';

/** The canonical text a series id is hashed from: tenant, metric and `name=value` by name, NUL-separated. */
export function canonicalSeries(tenant: string, metric: string, labels: Readonly<Record<string, string>>): string {
  // built on a memo miss only (seriesId below), so the sort is not worth skipping for labels in order
  let text = `${tenant}\u0000${metric}`;
  for (const name of Object.keys(labels).sort()) text += `\u0000${name}=${labels[name]}`;
  return text;
}

/** Most memoised ids; the memo starts over when full (ids are a pure function, so only speed changes). */
const MEMO_LIMIT = 200_000;

/** A memoised id with the identity it was made from; `pairs` is name, value, name, value... in first-seen order. */
interface Memo {
  tenant: string;
  metric: string;
  pairs: string[];
  id: string;
}

/**
 * Memoised ids by a 30-bit hash of the identity, checked field by field on a hit. The label pairs' hashes
 * are summed, so a lookup needs no sorting (the fleet's labels are not in order). Looking the canonical text
 * up instead cost more than all of this: the text is built, then flattened and hashed by the Map.
 */
const memo = new Map<number, Memo[]>();
let memoised = 0;

/** FNV-1a of `s` (UTF-16 code units) and a separator, continuing from `h`. */
function mix(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return Math.imul(h ^ 0xffff, 16777619); // not a code unit a string ends with: "ab","c" and "a","bc" differ
}

/** The value of label `name` in `pairs`, looked for at `at` first (a collector keeps its label order). */
function pairValue(pairs: readonly string[], name: string, at: number): string | undefined {
  if (pairs[at] === name) return pairs[at + 1];
  for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === name) return pairs[i + 1];
  return undefined;
}

function matches(m: Memo, tenant: string, metric: string, names: readonly string[], labels: Readonly<Record<string, string>>): boolean {
  if (m.tenant !== tenant || m.metric !== metric || m.pairs.length !== 2 * names.length) return false;
  for (let i = 0; i < names.length; i++) if (pairValue(m.pairs, names[i]!, 2 * i) !== labels[names[i]!]) return false;
  return true;
}

/** The memo's key for a series (exported for tests): 30 bits, a small integer (Smi) in V8, no heap number. */
export function memoKey(tenant: string, metric: string, names: readonly string[], labels: Readonly<Record<string, string>>): number {
  let pairs = 0;
  for (const name of names) pairs = (pairs + mix(mix(2166136261, name), labels[name]!)) | 0;
  return (mix(mix(2166136261, tenant), metric) ^ pairs) & 0x3fffffff;
}

/** The series id of `(tenant, metric, labels)`. */
export function seriesId(tenant: string, metric: string, labels: Readonly<Record<string, string>>): string {
  const names = Object.keys(labels);
  const h = memoKey(tenant, metric, names, labels);
  let bucket = memo.get(h);
  if (bucket !== undefined) {
    for (const m of bucket) if (matches(m, tenant, metric, names, labels)) return m.id;
  }
  const id = hash('sha1', canonicalSeries(tenant, metric, labels), 'buffer').readBigUInt64BE(0).toString();
  if (memoised >= MEMO_LIMIT) {
    memo.clear();
    memoised = 0;
    bucket = undefined;
  }
  const pairs: string[] = [];
  for (const name of names) pairs.push(name, labels[name]!);
  const entry = { tenant, metric, pairs, id };
  if (bucket === undefined) memo.set(h, [entry]);
  else bucket.push(entry);
  memoised++;
  return id;
}
