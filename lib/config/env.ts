// The only module that reads process.env. Everything else receives a frozen snapshot or, better, the
// validated config built from it in main.

/** A frozen copy of the environment variables at the time of the call. */
export function readEnv(): Readonly<Record<string, string | undefined>> {
  return Object.freeze({ ...process.env });
}
