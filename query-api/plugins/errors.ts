// The one error handler: every failure leaves as application/problem+json with a catalogue code, never a
// stack trace. Unexpected errors are logged in full and answered with a generic 500.
import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance } from 'fastify';
import { PrognosError, type ErrorCode } from '../../lib/errors.ts';

/** The problem+json body every error response has; routes declare it in their response schemas. */
export const ProblemSchema = Type.Object({ type: Type.String(), title: Type.String(), status: Type.Integer(), code: Type.String(), detail: Type.String(), instance: Type.String() });

const statusOf: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  RATE_LIMITED: 429,
  STORE_UNAVAILABLE: 503,
  SHUTTING_DOWN: 503,
};

/** Install the error and not-found handlers on `app`. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | PrognosError, request, reply) => {
    let status = 500;
    let code: string = 'INTERNAL';
    let detail = 'internal error; see the server log for this request id';
    if (error instanceof PrognosError) {
      status = statusOf[error.code] ?? 500;
      code = error.code;
      if (status < 500 || error.retriable) detail = error.message;
      const retryAfter = error.details['retryAfterSeconds'];
      if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
    } else if (error.validation) {
      status = 400;
      code = 'BAD_REQUEST';
      detail = error.message;
    } else if (typeof error.statusCode === 'number' && error.statusCode < 500) {
      status = error.statusCode;
      code = 'BAD_REQUEST';
      detail = error.message;
    }
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    void reply.status(status).type('application/problem+json').send({ type: `https://prognos.dev/errors/${code.toLowerCase()}`, title: code, status, code, detail, instance: request.id });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).type('application/problem+json').send({ type: 'https://prognos.dev/errors/not_found', title: 'NOT_FOUND', status: 404, code: 'NOT_FOUND', detail: `no route ${request.method} ${request.url.split('?')[0]}`, instance: request.id });
  });
}
