import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { deepFreeze, describeSection, loadSection, redactSection } from './section.ts';

const schema = Type.Object({
  port: Type.Integer({ env: 'T_PORT', description: 'Port.', default: 8080, minimum: 1, maximum: 65535 }),
  brokers: Type.Array(Type.String(), { env: 'T_BROKERS', description: 'Brokers.', default: [] }),
  idempotent: Type.Boolean({ env: 'T_IDEMPOTENT', description: 'Idempotent.', default: true }),
  password: Type.String({ env: 'T_PASSWORD', description: 'Secret.', default: '', secret: true }),
});

describe('loadSection', () => {
  it('applies defaults when variables are absent', () => {
    const { value, issues } = loadSection(schema, {});
    expect(issues).toEqual([]);
    expect(value).toEqual({ port: 8080, brokers: [], idempotent: true, password: '' });
  });

  it('coerces numbers, lists and booleans from strings', () => {
    const { value } = loadSection(schema, { T_PORT: '9000', T_BROKERS: 'a:9092, b:9092', T_IDEMPOTENT: 'false' });
    expect(value).toMatchObject({ port: 9000, brokers: ['a:9092', 'b:9092'], idempotent: false });
  });

  it('reports every violation together, naming the variable', () => {
    const { issues } = loadSection(schema, { T_PORT: 'abc', T_IDEMPOTENT: 'maybe' });
    expect(issues.map((issue) => issue.env).sort()).toEqual(['T_IDEMPOTENT', 'T_PORT']);
  });

  it('redacts secrets in the boot log and in issues', () => {
    const { value } = loadSection(schema, { T_PASSWORD: 'hunter2' });
    expect(JSON.stringify(redactSection(schema, value))).not.toContain('hunter2');
  });

  it('describes every field for the README table', () => {
    expect(describeSection(schema).map((row) => row.env)).toEqual(['T_PORT', 'T_BROKERS', 'T_IDEMPOTENT', 'T_PASSWORD']);
  });

  it('freezes deeply', () => {
    const frozen = deepFreeze({ a: { b: [1] } });
    expect(Object.isFrozen(frozen.a.b)).toBe(true);
  });
});
