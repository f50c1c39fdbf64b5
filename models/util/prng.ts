// Seeded pseudo-random numbers (mulberry32) for tests and simulations; not cryptographic and never
// seeded from the clock, so every run is reproducible.

/** Returns a generator of uniform numbers in [0, 1) from a 32-bit seed (mulberry32). */
export function createPrng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Returns a generator of standard normal numbers (Box-Muller) driven by a uniform generator. */
export function createGaussian(uniform: () => number): () => number {
  return () => {
    const u = 1 - uniform();
    const v = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}
