// Number arrays that V8 keeps packed. `new Array(n).fill(x)` and growing `length` make holey arrays, and a
// load from a holey double array is boxed into a fresh heap number (the hole must be able to read as
// undefined): in the detector's per-point loop that was most of its allocation and half its time.

/** A packed array of `n` copies of `value` (built by push, so it never has holes). */
export function filledArray(n: number, value: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(value);
  return out;
}

/** Sets `array`'s length to `n` without making holes: shrinks it, or grows it with `value`. */
export function resizeArray(array: number[], n: number, value: number): void {
  if (array.length > n) array.length = n;
  while (array.length < n) array.push(value);
}
