// Rewrites the configuration table in README.md (between the config:start/config:end markers) from the
// config schemas, so the documented variables, defaults and meanings are always those the code reads.
import { readFileSync, writeFileSync } from 'node:fs';
import { configSections } from '../config/load.ts';
import { describeSection } from '../config/section.ts';

/** The markdown tables for every config section. */
export function configMarkdown(): string {
  let out = '';
  for (const [name, schema] of Object.entries(configSections)) {
    out += `\n**${name}**\n\n| variable | default | meaning |\n|---|---|---|\n`;
    for (const row of describeSection(schema)) out += `| \`${row.env}\` | \`${row.default}\` | ${row.description} |\n`;
  }
  return out;
}

const startMarker = /<!-- config:start[^>]*-->/;
const endMarker = '<!-- config:end -->';

/** README text with the generated section replaced. */
export function withConfigSection(readme: string): string {
  const start = readme.match(startMarker);
  const end = readme.indexOf(endMarker);
  if (!start || start.index === undefined || end < 0) throw new Error('README.md lacks the config:start/config:end markers');
  return readme.slice(0, start.index + start[0].length) + configMarkdown() + readme.slice(end);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = new URL('../../README.md', import.meta.url);
  writeFileSync(path, withConfigSection(readFileSync(path, 'utf8')));
}
