// Turns the panel specs into Grafana dashboard JSON for provisioning (dashboards/provisioning/dashboards)
// and writes them when run as a script (`npm run dashboards:build`). The JSON files are generated: edit
// src/panels.ts, not them (a unit test fails when they are stale).
import { writeFileSync } from 'node:fs';
import { dashboards, type DashboardSpec } from './panels.ts';

export const datasource = { type: 'grafana-clickhouse-datasource', uid: 'prognos-clickhouse' };

/** Grafana's JSON model for one dashboard. */
export function toGrafana(spec: DashboardSpec): Record<string, unknown> {
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    schemaVersion: 39,
    version: 1,
    editable: true,
    time: { from: 'now-24h', to: 'now' },
    refresh: '1m',
    tags: ['prognos'],
    templating: {
      list: [{ name: 'tenant', label: 'Tenant', type: 'textbox', query: 'default', current: { text: 'default', value: 'default' }, description: 'Tenant whose data the panels show.' }],
    },
    panels: spec.panels.map((panel, i) => ({
      id: i + 1,
      title: panel.title,
      description: panel.description,
      type: panel.type,
      gridPos: panel.gridPos,
      datasource,
      targets: [{ refId: 'A', datasource, editorType: 'sql', format: panel.format, queryType: panel.format === 0 ? 'timeseries' : 'table', rawSql: panel.sql }],
    })),
  };
}

/** File name and content of every generated dashboard. */
export function generated(): { file: string; text: string }[] {
  return dashboards.map((spec) => ({ file: `${spec.uid}.json`, text: `${JSON.stringify(toGrafana(spec), null, 2)}\n` }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const { file, text } of generated()) writeFileSync(new URL(`../provisioning/dashboards/${file}`, import.meta.url), text);
}
