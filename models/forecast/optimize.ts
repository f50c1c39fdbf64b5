// Nelder-Mead minimiser for the smoothing parameters: derivative-free, deterministic, bounded by an
// evaluation budget. Does no constraint handling: callers map an unconstrained vector onto their bounds.

/** Minimises `f` from `start`; returns the best point found within `maxEvals` evaluations. */
export function nelderMead(f: (x: readonly number[]) => number, start: readonly number[], maxEvals = 200, step = 0.8): number[] {
  const d = start.length;
  const simplex: { x: number[]; v: number }[] = [];
  const value = (x: number[]): number => {
    const v = f(x);
    return Number.isFinite(v) ? v : Number.MAX_VALUE;
  };
  simplex.push({ x: [...start], v: value([...start]) });
  for (let i = 0; i < d; i++) {
    const x = [...start];
    x[i] = (x[i] ?? 0) + step;
    simplex.push({ x, v: value(x) });
  }
  let evals = d + 1;
  while (evals < maxEvals) {
    simplex.sort((a, b) => a.v - b.v);
    const best = simplex[0];
    const worst = simplex[d];
    const second = simplex[d - 1];
    if (best === undefined || worst === undefined || second === undefined) break;
    if (Math.abs(worst.v - best.v) <= 1e-10 * (Math.abs(best.v) + 1e-12)) break;
    const centroid = new Array<number>(d).fill(0);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) centroid[j] = (centroid[j] ?? 0) + (simplex[i]?.x[j] ?? 0) / d;
    const along = (t: number): number[] => centroid.map((c, j) => c + t * (c - (worst.x[j] ?? 0)));
    const reflected = along(1);
    const rv = value(reflected);
    evals++;
    if (rv < best.v) {
      const expanded = along(2);
      const ev = value(expanded);
      evals++;
      simplex[d] = ev < rv ? { x: expanded, v: ev } : { x: reflected, v: rv };
    } else if (rv < second.v) {
      simplex[d] = { x: reflected, v: rv };
    } else {
      const contracted = along(rv < worst.v ? 0.5 : -0.5);
      const cv = value(contracted);
      evals++;
      if (cv < Math.min(rv, worst.v)) {
        simplex[d] = { x: contracted, v: cv };
      } else {
        for (let i = 1; i <= d; i++) {
          const p = simplex[i];
          if (p === undefined) continue;
          p.x = p.x.map((xj, j) => (best.x[j] ?? 0) + 0.5 * (xj - (best.x[j] ?? 0)));
          p.v = value(p.x);
          evals++;
        }
      }
    }
  }
  simplex.sort((a, b) => a.v - b.v);
  return simplex[0]?.x ?? [...start];
}
