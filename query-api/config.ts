// Configuration of the query API.
import { Type, type Static } from '@sinclair/typebox';

export const apiConfigSchema = Type.Object({
  host: Type.String({ env: 'API_HOST', description: 'Address the API binds to.', default: '127.0.0.1' }),
  port: Type.Integer({ env: 'API_PORT', description: 'Port of the API (0 picks a free one).', default: 8080, minimum: 0, maximum: 65535 }),
  apiKeys: Type.Array(Type.String({ pattern: '^[^:,\\s]{16,}:[a-z0-9][a-z0-9_-]*:(viewer|admin)$' }), {
    env: 'API_KEYS',
    description: 'Credentials as key:tenant:role, comma-separated (key >= 16 chars; role viewer or admin). The tenant comes from the key, never from the request.',
    default: [],
    secret: true,
  }),
  anonymousTenant: Type.String({ env: 'API_ANONYMOUS_TENANT', description: 'Tenant served without a key while API_KEYS is empty (local demo). Empty: every request needs a key.', default: 'default' }),
  rateLimitPerSecond: Type.Number({ env: 'API_RATE_LIMIT_PER_SECOND', description: 'Sustained requests per second per credential (token bucket).', default: 50, minimum: 0.1 }),
  rateLimitBurst: Type.Integer({ env: 'API_RATE_LIMIT_BURST', description: 'Bucket size: requests allowed in a burst per credential.', default: 100, minimum: 1 }),
  maxRawPoints: Type.Integer({ env: 'API_MAX_RAW_POINTS', description: 'Most points one samples query returns; ask for a step beyond that.', default: 11_000, minimum: 1 }),
});

export type ApiConfig = Static<typeof apiConfigSchema>;
