import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generated } from './build.ts';
import { dashboards } from './panels.ts';

describe('dashboards as code', () => {
  it.each(generated().map((g) => [g.file, g.text]))('provisioned %s is current (run npm run dashboards:build)', (file, text) => {
    expect(readFileSync(new URL(`../provisioning/dashboards/${file}`, import.meta.url), 'utf8')).toBe(text);
  });

  it('keeps every panel inside the 24-column grid without overlaps', () => {
    for (const dashboard of dashboards) {
      const cells = new Set<string>();
      for (const { gridPos: g, title } of dashboard.panels) {
        expect(g.x + g.w, title).toBeLessThanOrEqual(24);
        for (let x = g.x; x < g.x + g.w; x++) for (let y = g.y; y < g.y + g.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it('filters every query by the tenant variable', () => {
    for (const panel of dashboards.flatMap((d) => d.panels)) expect(panel.sql, panel.title).toContain("tenant = '${tenant}'");
  });
});
