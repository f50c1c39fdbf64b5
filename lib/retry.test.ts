import { describe, expect, it } from 'vitest';
import { PrognosError, isRetriable } from './errors.ts';
import { backoffDelay, retry } from './retry.ts';

const noSleep = async () => undefined;

describe('retry', () => {
  it('retries retriable errors until the operation succeeds', async () => {
    let calls = 0;
    const result = await retry(async () => {
      calls++;
      if (calls < 4) throw new PrognosError('STORE_UNAVAILABLE', 'down');
      return 'ok';
    }, { baseDelayMs: 10, maxDelayMs: 100, isRetriable, sleep: noSleep });
    expect(result).toBe('ok');
    expect(calls).toBe(4);
  });

  it.each([
    ['a non-retriable coded error', new PrognosError('STORE_REJECTED', 'bad sql')],
    ['a TypeError', new TypeError('bug')],
  ])('rethrows %s at once', async (_name, error) => {
    let calls = 0;
    await expect(retry(async () => {
      calls++;
      throw error;
    }, { baseDelayMs: 10, maxDelayMs: 100, isRetriable, sleep: noSleep })).rejects.toBe(error);
    expect(calls).toBe(1);
  });

  it('stops when asked and rethrows the last error', async () => {
    let calls = 0;
    await expect(retry(async () => {
      calls++;
      throw new PrognosError('STORE_UNAVAILABLE', 'down');
    }, { baseDelayMs: 10, maxDelayMs: 100, isRetriable, sleep: noSleep, shouldStop: () => calls >= 2 })).rejects.toThrow('down');
    expect(calls).toBe(2);
  });

  it.each([
    [1, 0, 5],
    [1, 1, 10],
    [5, 1, 100],
    [40, 0.5, 75],
  ])('backoff for attempt %i with random %f is %i ms (base 10, cap 100)', (attempt, random, expected) => {
    expect(backoffDelay(attempt, 10, 100, () => random)).toBe(expected);
  });
});
