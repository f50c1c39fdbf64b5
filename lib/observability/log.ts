// The root pino logger. Components take a child (`logger.child({ component })`) passed down from main;
// nothing else creates loggers. Secrets are redacted by path before they reach any output.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

/** Paths that are never printed, wherever they appear in a log object. */
export const redactPaths = ['password', '*.password', '*.*.password', 'apiKeys', '*.apiKeys', 'authorization', '*.authorization', 'req.headers.authorization', 'req.headers["x-api-key"]'];

/** Create the one root logger. `destination` lets tests capture lines. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'prognos' }, redact: { paths: redactPaths, censor: '[redacted]' } };
  return destination === undefined ? pino(options) : pino(options, destination);
}
