import { describe, expect, it } from 'vitest';
import { PrognosError } from '../errors.ts';
import { loadConfig, redactConfig } from './load.ts';

describe('loadConfig', () => {
  it('gives the embedded defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.bus.brokers).toEqual([]);
    expect(config.store.url).toBe('');
    expect(config.api).toMatchObject({ host: '127.0.0.1', port: 8080 });
    expect(Object.isFrozen(config.api)).toBe(true);
  });

  it('reports every invalid variable in one error', () => {
    try {
      loadConfig({ API_PORT: 'eighty', BUS_PARTITIONS: '0', API_KEYS: 'short:acme:viewer' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PrognosError);
      const message = (err as PrognosError).message;
      for (const name of ['API_PORT', 'BUS_PARTITIONS', 'API_KEYS']) expect(message).toContain(name);
      expect(message).not.toContain('short:acme');
    }
  });

  it('never shows secrets in the boot log', () => {
    const config = loadConfig({ CLICKHOUSE_PASSWORD: 's3cret-pass', API_KEYS: 'abcdefghijklmnopqrstuvwxyz:acme:admin' });
    const text = JSON.stringify(redactConfig(config));
    expect(text).not.toContain('s3cret-pass');
    expect(text).not.toContain('abcdefghijklmnop');
  });
});
