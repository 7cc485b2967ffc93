import type { FastifyReply } from 'fastify';

/** The one error body of the site and the API. */
export interface ErrorBody {
  ok: false;
  error: string;
  status: number;
}

export function sendError(reply: FastifyReply, status: number, error: string): FastifyReply {
  const body: ErrorBody = { ok: false, error, status };
  return reply.status(status).type('application/json; charset=utf-8').send(body);
}
