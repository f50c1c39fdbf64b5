// JSON for processor snapshots that keeps NaN, ±Infinity and -0 (plain JSON turns them into null or 0):
// such numbers travel as {"$n": "NaN"}; snapshot state must hold no other object of exactly that shape.

/** JSON.stringify replacer for snapshot state. */
export function snapshotReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) return { $n: Object.is(value, -0) ? '-0' : String(value) };
  return value;
}

/** JSON.parse reviver undoing snapshotReplacer. */
export function snapshotReviver(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$n') return Number((value as { $n: string }).$n);
  }
  return value;
}
