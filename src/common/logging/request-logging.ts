import { fastifyRequestContext } from '@fastify/request-context';
import { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { isProbeOrScrape, pathOf } from '../http/route-kinds';

/**
 * Fastify's request logging, made one line per answered request: nothing on
 * arrival, and on completion the request id, method, path (never the query
 * string: gateway callbacks carry signatures there), status and time; level
 * error for a 5xx. Fastify's own logger writes it: no second logger, no
 * middleware layer. Probes and scrapes are not logged.
 */
export class RequestLogController extends LogController {
  override isLogDisabled(request: FastifyRequest): boolean {
    return isProbeOrScrape(pathOf(request.url));
  }

  override incomingRequest(): void {
    // The completed line says all of it.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const path = pathOf(request.url);
    if (isProbeOrScrape(path)) return;
    // Flat fields: Fastify's logger serialises whatever sits under req and res as its own objects.
    const line = {
      reqId: request.id,
      method: request.method,
      path,
      statusCode: reply.statusCode,
      responseTime: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error || reply.statusCode >= 500) reply.log.error(error ? { ...line, err: error } : line, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}

/** The request id is kept for the request's whole async life, so a service's log line names its request. */
export async function registerRequestContext(fastify: FastifyInstance): Promise<void> {
  await fastify.register(fastifyRequestContext, { defaultStoreValues: (request) => ({ requestId: request.id }) });
}
