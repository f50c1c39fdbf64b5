// The alert rules stay true to the code: every prognos_* metric they use is one the registry exports, and
// promtool's own unit tests (rules.test.yml) pass. promtool comes from Debian's prometheus package, which
// .ci/run installs; CI sets PROGNOS_REQUIRE_PROMTOOL=1 so this never silently skips there.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRegistry, pipelineMetrics } from '../../lib/observability/metrics.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const promtool = spawnSync('promtool', ['--version']).status === 0;
if (!promtool && process.env['PROGNOS_REQUIRE_PROMTOOL'] === '1') throw new Error('promtool is required here (apt-get install prometheus)');

describe('prometheus alert rules', () => {
  it('use only metrics prognos exports', async () => {
    const registry = createRegistry();
    pipelineMetrics(registry);
    const exported = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    const used = new Set([...readFileSync(`${here}rules.yml`, 'utf8').matchAll(/\b(prognos_[a-z0-9_]+)\b/g)].map((m) => m[1]!));
    expect(used.size).toBeGreaterThan(0);
    for (const name of used) expect(exported, name).toContain(name);
  });

  it.skipIf(!promtool)('pass promtool check and promtool unit tests', () => {
    const check = spawnSync('promtool', ['check', 'rules', `${here}rules.yml`], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const test = spawnSync('promtool', ['test', 'rules', `${here}rules.test.yml`], { encoding: 'utf8', cwd: here });
    expect(test.status, test.stdout + test.stderr).toBe(0);
  });
});
