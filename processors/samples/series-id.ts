// Stable series identity: a 64-bit hash of tenant, metric and the sorted label set, as a decimal string
// (UInt64 in ClickHouse). The same series always gets the same id, in every process and on every replay.
// Ids are memoised by canonical text (bounded): a series arrives in every batch, and hashing dominated.
import { hash } from 'node:crypto';

/** The canonical text a series id is hashed from: tenant, metric and `name=value` by name, NUL-separated. */
export function canonicalSeries(tenant: string, metric: string, labels: Readonly<Record<string, string>>): string {
  const names = Object.keys(labels);
  // collectors usually send labels in order already: then there is nothing to sort
  for (let i = 1; i < names.length; i++) {
    if (names[i - 1]! > names[i]!) {
      names.sort();
      break;
    }
  }
  let text = `${tenant}\u0000${metric}`;
  for (const name of names) text += `\u0000${name}=${labels[name]}`;
  return text;
}

/** Most memoised ids; the memo starts over when full (ids are a pure function, so only speed changes). */
const MEMO_LIMIT = 200_000;
const memo = new Map<string, string>();

/** The series id of `(tenant, metric, labels)`. */
export function seriesId(tenant: string, metric: string, labels: Readonly<Record<string, string>>): string {
  const text = canonicalSeries(tenant, metric, labels);
  let id = memo.get(text);
  if (id === undefined) {
    id = hash('sha1', text, 'buffer').readBigUInt64BE(0).toString();
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(text, id);
  }
  return id;
}
