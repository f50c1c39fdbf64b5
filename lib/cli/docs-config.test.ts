import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withConfigSection } from './docs-config.ts';

describe('README configuration table', () => {
  it('is current with the config schemas (run `npm run docs:config` to regenerate)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(withConfigSection(readme)).toBe(readme);
  });
});
