// Derived results for the caller's tenant: anomaly events (/v1/anomalies), the latest 48 h forecast of a
// series (/v1/series/:id/forecast) and capacity plans (/v1/capacity, JSON or CSV for download).
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PrognosError } from '../../../lib/errors.ts';
import { ProblemSchema as Problem } from '../../plugins/errors.ts';
import type { CapacityPlanView, ResultsRepository } from '../../repositories/results.ts';
import { parseTime } from '../series/index.ts';
import { toCsv } from './csv.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const AnomalyEvent = Type.Object({
  event_id: Type.String(), series_id: Type.String(), metric: Type.String(), labels: Type.Record(Type.String(), Type.String()), start: Type.String(), end: Nullable(Type.String()),
  status: Type.String(), severity: Type.String(), detector: Type.String(), peak_score: Type.Number(), expected: Type.Number(), observed: Type.Number(),
});
const CapacityPlan = Type.Object({
  series_id: Type.String(), metric: Type.String(), labels: Type.Record(Type.String(), Type.String()), issued_at: Type.String(), capacity: Type.Number(),
  eta: Nullable(Type.String()), eta80_from: Nullable(Type.String()), eta80_to: Nullable(Type.String()), eta95_from: Nullable(Type.String()), eta95_to: Nullable(Type.String()),
  headroom: Type.Number(), headroom_ratio: Type.Number(), summary: Type.String(),
});

/** Column order of the capacity report CSV (a stable interface for planners' spreadsheets). */
export const capacityCsvColumns: (keyof CapacityPlanView & string)[] = ['series_id', 'metric', 'labels', 'issued_at', 'capacity', 'eta', 'eta80_from', 'eta80_to', 'eta95_from', 'eta95_to', 'headroom', 'headroom_ratio', 'summary'];

export interface ResultsRoutesOptions {
  repository: ResultsRepository;
  now: () => number;
}

export const resultsRoutes: FastifyPluginAsyncTypebox<ResultsRoutesOptions> = async (app, { repository, now }) => {
  app.get('/v1/anomalies', {
    schema: {
      querystring: Type.Object({ from: Type.Optional(Type.String()), to: Type.Optional(Type.String()), status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('resolved')])), limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }),
      response: { 200: Type.Object({ events: Type.Array(AnomalyEvent) }), 400: Problem },
    },
  }, async (request) => {
    const toMs = request.query.to === undefined ? now() : parseTime(request.query.to, 'to');
    const fromMs = request.query.from === undefined ? toMs - 86_400_000 : parseTime(request.query.from, 'from');
    if (fromMs >= toMs) throw new PrognosError('BAD_REQUEST', 'from must be before to');
    const { status, limit } = request.query;
    return { events: await repository.anomalies(request.principal.tenant, { fromMs, toMs, limit, ...(status === undefined ? {} : { status }) }) };
  });

  app.get('/v1/series/:id/forecast', {
    schema: {
      params: Type.Object({ id: Type.String({ pattern: '^\\d{1,20}$' }) }),
      response: { 200: Type.Object({ series_id: Type.String(), issued_at: Type.String(), model: Type.String(), model_version: Type.String(), points: Type.Array(Type.Object({ ts: Type.String(), forecast: Type.Number(), lo80: Type.Number(), hi80: Type.Number(), lo95: Type.Number(), hi95: Type.Number() })) }), 404: Problem },
    },
  }, async (request) => {
    const forecast = await repository.latestForecast(request.principal.tenant, request.params.id);
    if (!forecast) throw new PrognosError('NOT_FOUND', `no forecast for series ${request.params.id} (unknown series, or under 24 h of history)`);
    return { series_id: request.params.id, ...forecast };
  });

  app.get('/v1/capacity', {
    schema: {
      querystring: Type.Object({ metric: Type.Optional(Type.String({ maxLength: 200 })), format: Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' }), limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }) }),
      response: { 200: Type.Union([Type.Object({ plans: Type.Array(CapacityPlan) }), Type.String()]), 400: Problem },
    },
  }, async (request, reply) => {
    const { metric, format, limit } = request.query;
    const plans = await repository.capacity(request.principal.tenant, { limit, ...(metric === undefined ? {} : { metric }) });
    if (format === 'csv') {
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="prognos-capacity.csv"').send(toCsv(capacityCsvColumns, plans));
    }
    return { plans };
  });
};
