// Rolling median and MAD over the last `size` values, kept as a ring buffer plus a sorted copy so each
// step is O(size) with no allocation. Level and spread only; no seasonality, no weighting by age.

/** Rolling window state: plain number arrays, JSON-serialisable. */
export interface RobustState {
  /** Ring buffer of the last values in arrival order. */
  ring: number[];
  /** The same values sorted ascending. */
  sorted: number[];
  /** Next write position in ring once it is full. */
  head: number;
  /** Window capacity. */
  size: number;
}

/** A fresh window of the given capacity (>= 1). */
export function initRobust(size: number): RobustState {
  return { ring: [], sorted: [], head: 0, size: Math.max(1, Math.floor(size)) };
}

function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? 0) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Adds a value, evicting the oldest once full. Mutates the state; shifts in place (no splice garbage). */
export function stepRobust(state: RobustState, x: number): void {
  const { ring, sorted } = state;
  if (ring.length < state.size) {
    ring.push(x);
    sorted.push(x);
    let i = sorted.length - 1;
    while (i > 0 && (sorted[i - 1] ?? 0) > x) {
      sorted[i] = sorted[i - 1] ?? 0;
      i--;
    }
    sorted[i] = x;
    return;
  }
  const old = ring[state.head] ?? 0;
  ring[state.head] = x;
  state.head = (state.head + 1) % state.size;
  // Replace `old` by `x` in the sorted copy, moving the hole towards x's place.
  let i = lowerBound(sorted, old);
  if (x > old) {
    while (i + 1 < sorted.length && (sorted[i + 1] ?? 0) < x) {
      sorted[i] = sorted[i + 1] ?? 0;
      i++;
    }
  } else {
    while (i > 0 && (sorted[i - 1] ?? 0) > x) {
      sorted[i] = sorted[i - 1] ?? 0;
      i--;
    }
  }
  sorted[i] = x;
}

/** Median of the window (NaN when empty). */
export function robustMedian(state: RobustState): number {
  const n = state.sorted.length;
  if (n === 0) return NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? (state.sorted[mid] ?? NaN) : ((state.sorted[mid - 1] ?? 0) + (state.sorted[mid] ?? 0)) / 2;
}

/**
 * Median absolute deviation from `center`, by a two-pointer walk outwards from the centre of the sorted
 * window (O(size), no allocation). Multiply by 1.4826 for a normal-consistent sigma.
 */
export function robustMad(state: RobustState, center: number): number {
  const s = state.sorted;
  const n = s.length;
  if (n === 0) return NaN;
  let hi = lowerBound(s, center);
  let lo = hi - 1;
  const target = n >> 1;
  let d = 0;
  for (let k = 0; k <= target; k++) {
    const dl = lo >= 0 ? center - (s[lo] ?? 0) : Infinity;
    const dh = hi < n ? (s[hi] ?? 0) - center : Infinity;
    if (dl <= dh) {
      d = dl;
      lo--;
    } else {
      d = dh;
      hi++;
    }
  }
  return d;
}
