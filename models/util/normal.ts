// Normal-distribution tail helpers for turning standardised surprises into probabilities.
// Approximations good to ~1e-7 relative; no inverse CDF here.

/** Complementary error function (W. J. Cody style rational approximation, |error| < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Upper-tail probability P(Z > z) of a standard normal variable. */
export function normalTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/**
 * Consistency factor of a winsorised mean absolute deviation: a spread s updated with min(|r|, clip * s)
 * settles, for normal residuals, at s = E[min(|Z|, clip * s)]; returns sigma / s (1.2533 without a clip).
 * Solved by fixed-point iteration; clips at or below 1.05 have no useful fixed point and give 1.2533.
 */
export function winsorizedSpreadFactor(clip: number): number {
  if (!(clip > 1.05) || !Number.isFinite(clip)) return Math.sqrt(Math.PI / 2);
  let s = 0.8;
  for (let i = 0; i < 200; i++) {
    const c = clip * s;
    s = Math.sqrt(2 / Math.PI) * (1 - Math.exp((-c * c) / 2)) + 2 * c * normalTail(c);
  }
  return 1 / s;
}
