import { fastifyRequestContext } from '@fastify/request-context';
import type { FastifyInstance } from 'fastify';

/** Scrapes and health probes arrive every few seconds and say nothing about traffic. */
const UNLOGGED_PATH = /^\/(metrics$|api\/health(\/|$))/;

/**
 * One line per answered request, written with Fastify's own logger from a
 * Fastify hook: no second logger and no middleware layer. The query string
 * is left out (gateway callbacks carry signatures there), and so are headers.
 */
export async function registerRequestLogging(fastify: FastifyInstance): Promise<void> {
  // The request id is kept for the request's whole async life, so a service's log line names its request.
  await fastify.register(fastifyRequestContext, { defaultStoreValues: (request) => ({ requestId: request.id }) });
  fastify.addHook('onResponse', (request, reply, done) => {
    const path = request.url.split('?', 1)[0];
    if (!UNLOGGED_PATH.test(path)) {
      // Flat fields: Fastify's logger serialises whatever sits under req and res as its own objects.
      const line = { reqId: request.id, method: request.method, path, statusCode: reply.statusCode, responseTime: Math.round(reply.elapsedTime * 10) / 10 };
      if (reply.statusCode >= 500) request.log.error(line, 'request errored');
      else request.log.info(line, 'request completed');
    }
    done();
  });
}
