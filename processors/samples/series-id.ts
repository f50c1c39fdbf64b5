// Stable series identity: a 64-bit hash of tenant, metric and the sorted label set, as a decimal string
// (UInt64 in ClickHouse). The same series always gets the same id, in every process and on every replay.
import { createHash } from 'node:crypto';

/** The canonical text a series id is hashed from. */
export function canonicalSeries(tenant: string, metric: string, labels: Readonly<Record<string, string>>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((name) => `${name}=${labels[name]}`);
  return [tenant, metric, ...parts].join('\u0000');
}

/** The series id of `(tenant, metric, labels)`. */
export function seriesId(tenant: string, metric: string, labels: Readonly<Record<string, string>>): string {
  return createHash('sha1').update(canonicalSeries(tenant, metric, labels)).digest().readBigUInt64BE(0).toString();
}
