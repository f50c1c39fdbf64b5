// Async work run one piece at a time, in the order it was given: each piece starts once the one before it
// has settled, failed or not. For writers that share a position or a file (a log's end, a temporary file).

export interface Serial {
  /** Runs `work` after everything given before it has settled; settles as `work` does. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Resolves (never rejects) once everything given so far has settled. */
  settled(): Promise<void>;
}

export function createSerial(): Serial {
  let last: Promise<void> = Promise.resolve();
  return {
    run(work) {
      const result = last.then(work);
      last = result.then(
        () => undefined,
        () => undefined, // the caller sees the failure; the next piece still runs
      );
      return result;
    },
    settled: () => last,
  };
}
