// /v1/series: list the caller's series, and read one series' points (raw or rolled up by step).
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PrognosError } from '../../../lib/errors.ts';
import { ProblemSchema as Problem } from '../../plugins/errors.ts';
import type { ApiConfig } from '../../config.ts';
import type { SeriesRepository } from '../../repositories/series.ts';

const SeriesInfo = Type.Object({
  id: Type.String(), metric: Type.String(), labels: Type.Record(Type.String(), Type.String()), kind: Type.String(), source: Type.String(),
  first_seen: Type.String(), last_seen: Type.String(), samples: Type.Number(),
});
const Point = Type.Object({ ts: Type.String(), value: Type.Number(), min: Type.Optional(Type.Number()), max: Type.Optional(Type.Number()), count: Type.Optional(Type.Number()) });

/** Parse a time bound: ISO 8601, or an epoch number (milliseconds from 1e11 up, seconds below). */
export function parseTime(text: string, name: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    return n >= 1e11 ? Math.round(n) : Math.round(n * 1000);
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new PrognosError('BAD_REQUEST', `${name} must be ISO 8601 or epoch seconds/milliseconds, got ${JSON.stringify(text)}`);
  return ms;
}

/** Parse a step: seconds, or a number with s/m/h/d. Empty or 0 means raw points. */
export function parseStep(text: string | undefined): number {
  if (text === undefined || text === '' || text === '0') return 0;
  const match = /^(\d+)(s|m|h|d)?$/.exec(text);
  if (!match) throw new PrognosError('BAD_REQUEST', `step must be seconds or a duration like 30s, 5m, 1h, got ${JSON.stringify(text)}`);
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

export interface SeriesRoutesOptions {
  repository: SeriesRepository;
  config: ApiConfig;
  now: () => number;
}

export const seriesRoutes: FastifyPluginAsyncTypebox<SeriesRoutesOptions> = async (app, { repository, config, now }) => {
  app.get('/v1/series', {
    schema: {
      querystring: Type.Object({ metric: Type.Optional(Type.String({ maxLength: 200 })), limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }), offset: Type.Integer({ minimum: 0, default: 0 }) }),
      response: { 200: Type.Object({ series: Type.Array(SeriesInfo) }), 400: Problem, 401: Problem },
    },
  }, async (request) => {
    const { metric, limit, offset } = request.query;
    return { series: await repository.list(request.principal.tenant, { limit, offset, ...(metric === undefined ? {} : { metric }) }) };
  });

  app.get('/v1/series/:id/samples', {
    schema: {
      params: Type.Object({ id: Type.String({ pattern: '^\\d{1,20}$' }) }),
      querystring: Type.Object({ from: Type.Optional(Type.String()), to: Type.Optional(Type.String()), step: Type.Optional(Type.String()) }),
      response: { 200: Type.Object({ series: SeriesInfo, from: Type.String(), to: Type.String(), step_seconds: Type.Integer(), source: Type.String(), points: Type.Array(Point) }), 400: Problem, 404: Problem },
    },
  }, async (request) => {
    const { id } = request.params;
    const toMs = request.query.to === undefined ? now() : parseTime(request.query.to, 'to');
    const fromMs = request.query.from === undefined ? toMs - 3_600_000 : parseTime(request.query.from, 'from');
    if (fromMs >= toMs) throw new PrognosError('BAD_REQUEST', 'from must be before to');
    const step = parseStep(request.query.step);
    const points = step === 0 ? 0 : Math.ceil((toMs - fromMs) / 1000 / step);
    if (points > config.maxRawPoints) throw new PrognosError('BAD_REQUEST', `${points} points requested; the limit is ${config.maxRawPoints}: use a larger step`);
    const series = await repository.get(request.principal.tenant, id);
    if (!series) throw new PrognosError('NOT_FOUND', `no series ${id}`);
    const result = await repository.points(request.principal.tenant, id, fromMs, toMs, step, config.maxRawPoints);
    return { series, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), step_seconds: step, source: result.source, points: result.points };
  });
};
