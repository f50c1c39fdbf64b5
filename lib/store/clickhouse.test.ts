// How store failures map to coded errors: chDB's refusals by their ClickHouse code (retry the codes that
// clear up by themselves), HTTP server errors likewise, anything else as the store being unavailable.
import { describe, expect, it } from 'vitest';
import { toStoreError } from './clickhouse.ts';

// stand-ins named like chDB's error classes (the mapping reads the class name and clickhouseCode)
class ChdbInsertError extends Error {
  constructor(message: string, readonly clickhouseCode?: number) {
    super(message);
  }
}
class ChdbSyntaxError extends Error {}

describe('toStoreError', () => {
  it('maps a chDB refusal to STORE_REJECTED, with its ClickHouse code', () => {
    const err = toStoreError(new ChdbInsertError('Cannot parse input', 27), 'insert into t');
    expect(err.code).toBe('STORE_REJECTED');
    expect(err.retriable).toBe(false);
    expect(err.details).toEqual({ clickhouseCode: '27' });
    expect(err.message).toBe('insert into t: Cannot parse input');
    expect(toStoreError(new ChdbSyntaxError('Syntax error'), 'query').code).toBe('STORE_REJECTED');
  });

  it('maps a chDB error whose code clears up by itself (too many parts) to STORE_UNAVAILABLE, retriable', () => {
    const err = toStoreError(new ChdbInsertError('Too many parts', 252), 'insert into t');
    expect(err.code).toBe('STORE_UNAVAILABLE');
    expect(err.retriable).toBe(true);
  });

  it('maps a chDB insert that failed without a ClickHouse code (no result, out of memory) to STORE_UNAVAILABLE, retriable', () => {
    const err = toStoreError(new ChdbInsertError('chdb query returned a null result'), 'insert into t');
    expect(err.code).toBe('STORE_UNAVAILABLE');
    expect(err.retriable).toBe(true);
  });

  it('maps an HTTP server error by its code, and anything else to STORE_UNAVAILABLE', () => {
    const server = (code: string) => Object.assign(new Error('server said no'), { code, type: 'SOME_TYPE' });
    expect(toStoreError(server('60'), 'query').code).toBe('STORE_REJECTED');
    expect(toStoreError(server('159'), 'query').code).toBe('STORE_UNAVAILABLE');
    expect(toStoreError(new Error('socket hang up'), 'query').code).toBe('STORE_UNAVAILABLE');
  });
});
