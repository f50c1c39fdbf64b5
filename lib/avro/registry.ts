// Optional Confluent-compatible schema registry: at boot, registers the project's schemas under
// `<topic>-value` (TopicNameStrategy; the registry answers with the existing id when the schema is already
// known) and returns the id table the codecs frame with. Decoding stays synchronous: ids are resolved
// once, here, not per message. Without a registry URL the built-in ids are used and nothing is called.
import { readFileSync } from 'node:fs';
import { PrognosError } from '../errors.ts';
import { schemaIds, type SchemaIdTable, type SchemaName } from './codec.ts';

const schemaDir = new URL('../../schemas/avro/', import.meta.url);

/** Which topic each schema is registered for. */
export type SchemaSubjects = Partial<Record<SchemaName, string>>;

/** Register every schema with its topic's subject; returns the id table (built-in ids for the rest). */
export async function resolveRegistryIds(url: string, topics: SchemaSubjects, fetchImpl: typeof fetch = fetch): Promise<SchemaIdTable> {
  const ids: Record<string, number> = { ...schemaIds };
  for (const [name, topic] of Object.entries(topics) as [SchemaName, string][]) {
    const schema = JSON.stringify(JSON.parse(readFileSync(new URL(`${name}.avsc`, schemaDir), 'utf8')));
    const subject = encodeURIComponent(`${topic}-value`);
    let response: Response;
    try {
      response = await fetchImpl(`${url.replace(/\/$/, '')}/subjects/${subject}/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ schema }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (cause) {
      throw new PrognosError('BUS_UNAVAILABLE', `schema registry unreachable at ${url}`, { cause });
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw new PrognosError('CONFIG_INVALID', `schema registry refused ${name} for subject ${topic}-value: HTTP ${response.status} ${text.slice(0, 300)}`);
    }
    const body = (await response.json()) as { id?: unknown };
    if (typeof body.id !== 'number') throw new PrognosError('CONFIG_INVALID', `schema registry gave no id for ${name}`);
    ids[name] = body.id;
  }
  return ids as SchemaIdTable;
}
