// Avro encoding with the Confluent wire framing (magic 0x00, 4-byte big-endian schema id, Avro body), so
// that other Kafka tooling and ClickHouse's Kafka engine can read our topics. The project's own schemas
// carry built-in ids; a registry is optional and not consulted here. Decoding resolves any known writer
// schema to the reader's current schema (the evolution rule: add fields with defaults, never remove,
// rename or retype), so old bytes stay readable forever.
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { PrognosError } from '../errors.ts';

const schemaDir = new URL('../../schemas/avro/', import.meta.url);

/** Built-in schema ids. Never reuse or renumber an id: bytes on the bus refer to it. */
export const schemaIds = {
  'metric-batch.v1': 1,
  'metric-batch.v2': 2,
  'alert-event.v1': 3,
} as const;

export type SchemaName = keyof typeof schemaIds;

const MAGIC = 0;
/** Bytes before the Avro body: the magic byte and the 4-byte big-endian schema id. */
export const HEADER_BYTES = 5;

/** Writes the frame header (magic byte, big-endian `schemaId`) at the start of `buf`. */
export function writeFrameHeader(buf: Buffer, schemaId: number): void {
  buf[0] = MAGIC;
  buf.writeUInt32BE(schemaId, 1);
}

/** The schema id of Confluent-framed bytes; undefined when they are not framed (too short, no magic byte). */
export function framedSchemaId(bytes: Buffer): number | undefined {
  return bytes.length >= HEADER_BYTES && bytes[0] === MAGIC ? bytes.readUInt32BE(1) : undefined;
}

/** Parse one .avsc file from schemas/avro. */
export function loadAvroType(name: SchemaName): avro.Type {
  const text = readFileSync(new URL(`${name}.avsc`, schemaDir), 'utf8');
  return avro.Type.forSchema(JSON.parse(text) as avro.Schema);
}

/** Encodes with one writer schema; decodes bytes written with any schema id of the same family. */
export interface AvroCodec<T> {
  readonly schemaId: number;
  encode(value: T): Buffer;
  /** Throws PrognosError DECODE_FAILED with the reason on bad framing, unknown id or corrupt body. */
  decode(bytes: Buffer): T;
}

/** Schema ids to frame with: the built-in ones, or those a schema registry assigned (see registry.ts). */
export type SchemaIdTable = Readonly<Record<SchemaName, number>>;

/**
 * Create a codec that writes `writer` and reads any of `readable` (a family of versions) into `writer`'s
 * shape. Resolvers are built once, at creation. `ids` replaces the built-in ids when a registry is used.
 */
export function createAvroCodec<T>(writer: SchemaName, readable: readonly SchemaName[], ids: SchemaIdTable = schemaIds): AvroCodec<T> {
  const writerType = loadAvroType(writer);
  const writerId = ids[writer];
  const resolvers = new Map<number, unknown>();
  for (const name of readable) {
    const type = name === writer ? writerType : loadAvroType(name);
    resolvers.set(ids[name], name === writer ? writerType : writerType.createResolver(type));
  }
  return {
    schemaId: writerId,
    encode(value: T): Buffer {
      const body = writerType.toBuffer(value);
      const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
      writeFrameHeader(out, writerId);
      body.copy(out, HEADER_BYTES);
      return out;
    },
    decode(bytes: Buffer): T {
      const id = framedSchemaId(bytes);
      if (id === undefined) {
        throw new PrognosError('DECODE_FAILED', 'not Confluent-framed Avro (missing magic byte)', { details: { reason: 'bad_framing' } });
      }
      const resolver = resolvers.get(id);
      if (resolver === undefined) {
        throw new PrognosError('DECODE_FAILED', `unknown schema id ${id}`, { details: { reason: 'unknown_schema', schemaId: id } });
      }
      try {
        const body = bytes.subarray(HEADER_BYTES);
        if (resolver === writerType) return writerType.fromBuffer(body) as T;
        return writerType.fromBuffer(body, resolver as never) as T;
      } catch (cause) {
        throw new PrognosError('DECODE_FAILED', `corrupt Avro body for schema id ${id}`, { cause, details: { reason: 'corrupt_body', schemaId: id } });
      }
    },
  };
}
