// Loads one component's config section from environment variables through its TypeBox schema: every
// field names its env var (`env`), carries a description and a default; values are coerced, defaulted and
// validated, and every violation is returned (not just the first). Does not read process.env itself.
import { Kind, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** One problem found while loading configuration. */
export interface ConfigIssue {
  env: string;
  message: string;
}

/** Options every config field must carry. `secret` fields are never logged. */
export interface FieldMeta {
  env: string;
  description: string;
  secret?: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

function metaOf(schema: TSchema): FieldMeta {
  return schema as unknown as FieldMeta;
}

function coerce(schema: TSchema, raw: string): unknown {
  const kind = schema[Kind] as string;
  if (kind === 'Boolean') {
    const lower = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
    if (['0', 'false', 'no', 'off'].includes(lower)) return false;
    return raw;
  }
  if (kind === 'Number' || kind === 'Integer') return raw.trim() === '' ? raw : Number(raw);
  if (kind === 'Array') return raw.split(',').map((part) => part.trim()).filter((part) => part !== '');
  return raw;
}

/** Load `schema` from `env`; returns the value (defaults applied) and the list of issues. */
export function loadSection<T extends TObject>(schema: T, env: Env): { value: Static<T>; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const raw: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.properties)) {
    const { env: name } = metaOf(field);
    const text = env[name];
    if (text !== undefined && text !== '') raw[key] = coerce(field, text);
  }
  const value = Value.Default(schema, raw) as Static<T>;
  for (const error of Value.Errors(schema, value)) {
    const key = error.path.split('/')[1] ?? '';
    const field = schema.properties[key];
    const name = field ? metaOf(field).env : key;
    issues.push({ env: name, message: `${error.message} (got ${field && metaOf(field).secret ? '[redacted]' : JSON.stringify(error.value)})` });
  }
  return { value, issues };
}

/** The section with secret fields replaced, for the one boot log line. */
export function redactSection<T extends TObject>(schema: T, value: Static<T>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.properties)) {
    const v = (value as Record<string, unknown>)[key];
    out[key] = metaOf(field).secret && v !== undefined && v !== '' ? '[redacted]' : v;
  }
  return out;
}

/** Rows for the README configuration table: env var, default, description. */
export function describeSection(schema: TObject): { env: string; default: string; description: string }[] {
  return Object.values(schema.properties).map((field) => {
    const meta = metaOf(field);
    const def = (field as { default?: unknown }).default;
    return { env: meta.env, default: def === undefined ? '' : Array.isArray(def) ? def.join(',') : String(def), description: meta.description };
  });
}

/** Deep-freeze a plain config object. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
