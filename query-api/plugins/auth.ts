// Authentication, tenancy and rate limiting. A request's tenant and role come only from its credential
// (x-api-key or Authorization: Bearer); nothing in the request can name another tenant. Keys are compared
// by SHA-256 digest in constant time and never logged. Every authenticated request is written to the
// audit log with the key's id (a digest prefix), route and status.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PrognosError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/observability/log.ts';
import type { ApiConfig } from '../config.ts';

export type Role = 'viewer' | 'admin';

export interface Principal {
  tenant: string;
  role: Role;
  /** Non-secret id of the credential for logs: first 12 hex chars of its digest, or 'anonymous'. */
  keyId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

interface Credential {
  digest: Buffer;
  principal: Principal;
}

const digestOf = (key: string) => createHash('sha256').update(key).digest();

/** Parse API_KEYS entries (already validated by the config schema). */
export function parseCredentials(entries: readonly string[]): Credential[] {
  return entries.map((entry) => {
    const [key, tenant, role] = entry.split(':') as [string, string, Role];
    const digest = digestOf(key);
    return { digest, principal: { tenant, role, keyId: digest.toString('hex').slice(0, 12) } };
  });
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  const auth = request.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return undefined;
}

/** A token bucket per credential; time comes from `now` so tests need no sleeps. */
export function createRateLimiter(perSecond: number, burst: number, now: () => number) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (id: string): number => {
    const t = now();
    const bucket = buckets.get(id) ?? { tokens: burst, at: t };
    bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * perSecond);
    bucket.at = t;
    buckets.set(id, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / perSecond);
  };
}

/** Protect every route under `app` except those marked `config: { public: true }`. */
export function registerAuth(app: FastifyInstance, config: ApiConfig, audit: Logger, now: () => number): void {
  const credentials = parseCredentials(config.apiKeys);
  const anonymous: Principal | undefined = credentials.length === 0 && config.anonymousTenant !== '' ? { tenant: config.anonymousTenant, role: 'viewer', keyId: 'anonymous' } : undefined;
  const limit = createRateLimiter(config.rateLimitPerSecond, config.rateLimitBurst, now);
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (request) => {
    if ((request.routeOptions.config as { public?: boolean } | undefined)?.public) return;
    const key = presentedKey(request);
    let principal: Principal | undefined;
    if (key !== undefined) {
      const digest = digestOf(key);
      principal = credentials.find((c) => timingSafeEqual(c.digest, digest))?.principal;
      if (!principal) throw new PrognosError('UNAUTHORIZED', 'unknown API key');
    } else {
      principal = anonymous;
      if (!principal) throw new PrognosError('UNAUTHORIZED', 'an API key is required (x-api-key header or Authorization: Bearer)');
    }
    const waitSeconds = limit(principal.keyId);
    if (waitSeconds > 0) throw new PrognosError('RATE_LIMITED', `rate limit of ${config.rateLimitPerSecond}/s exceeded`, { details: { retryAfterSeconds: waitSeconds } });
    request.principal = principal;
  });
  app.addHook('onResponse', async (request, reply) => {
    if ((request.routeOptions.config as { public?: boolean } | undefined)?.public) return;
    audit.info({ keyId: request.principal?.keyId ?? 'none', tenant: request.principal?.tenant, method: request.method, route: request.routeOptions.url, status: reply.statusCode, reqId: request.id }, 'api access');
  });
}

/** Throw FORBIDDEN unless the principal holds `role` (admin implies viewer). */
export function requireRole(request: FastifyRequest, role: Role): void {
  if (role === 'admin' && request.principal.role !== 'admin') throw new PrognosError('FORBIDDEN', 'this route needs the admin role');
}
