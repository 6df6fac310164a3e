/**
 * Graph's wire conventions for every response: request ids, the OData JSON
 * content type, and errors rendered as Graph's error body. Client mistakes
 * become 4xx with a message that says what and where; anything unexpected
 * becomes a 500 that leaks nothing (the cause goes to the log only).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { GraphError, errors, isGraphError } from '../../errors/graph-error.ts';
import { GRAPH_JSON } from '../../graph/odata.ts';
import { graphErrorDate } from '../../util/time.ts';
import { hasControlCharacter } from '../http.ts';
import type { Clock } from '../../util/time.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Graph type name of the body, for "Property 'x' does not exist on type …" messages. */
    graphType?: string;
    /** The body may be left out (actions such as restart): it is then read as `{}`. */
    optionalBody?: boolean;
  }
}

export function graphErrorBody(err: GraphError, req: FastifyRequest, clock: Clock): object {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(err.target ? { target: err.target } : {}),
      ...(err.details.length ? { details: err.details } : {}),
      innerError: {
        date: graphErrorDate(clock.now()),
        'request-id': String(req.id),
        'client-request-id': clientRequestId(req),
      },
    },
  };
}

function clientRequestId(req: FastifyRequest): string {
  const h = req.headers['client-request-id'];
  return typeof h === 'string' && h.length <= 128 ? h : String(req.id);
}

interface AjvError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Turns the first schema violation into a Graph 400 that names the property. */
function validationError(e: FastifyError, req: FastifyRequest): GraphError {
  const first = (e.validation as AjvError[] | undefined)?.[0];
  const where = e.validationContext ?? 'body';
  const type = req.routeOptions.config.graphType;
  if (where === 'body' && (req.body === undefined || req.body === null)) {
    return new GraphError(400, 'Request_BadRequest', `The request body is missing; send a${type ? ` microsoft.graph.${type}` : ' JSON'} object.`);
  }
  const path = first?.instancePath ? first.instancePath.replace(/^\//, '').replace(/\//g, '.') : '';
  if (first?.keyword === 'additionalProperties') {
    const prop = String(first.params?.additionalProperty ?? '');
    const full = path ? `${path}.${prop}` : prop;
    return new GraphError(400, 'Request_BadRequest',
      type ? `Property '${full}' does not exist on type 'microsoft.graph.${type}'.` : `Property '${full}' is not allowed in the ${where}.`,
      { target: full });
  }
  if (first?.keyword === 'required') {
    const prop = String(first.params?.missingProperty ?? '');
    const full = path ? `${path}.${prop}` : prop;
    return new GraphError(400, 'Request_BadRequest', `The ${where} is missing the required property '${full}'.`, { target: full });
  }
  const target = path || where;
  const message = `Invalid value for '${target}' in the ${where}: ${first?.message ?? 'does not match the expected type'}.`;
  return new GraphError(400, 'Request_BadRequest', message, { target });
}

function toGraphError(e: unknown, req: FastifyRequest): GraphError {
  if (isGraphError(e)) return e;
  const fe = e as FastifyError;
  if (fe && typeof fe === 'object') {
    if (fe.validation) return validationError(fe, req);
    switch (fe.code) {
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return errors.unsupportedMediaType(String(req.headers['content-type'] ?? ''), 'application/json');
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return new GraphError(413, 'Request_EntityTooLarge', 'The request body is larger than the server accepts.');
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return errors.badRequest('Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
    }
    if (fe instanceof SyntaxError || fe.name === 'SyntaxError') {
      return new GraphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
    }
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return new GraphError(fe.statusCode, 'BadRequest', fe.message);
    }
  }
  return errors.internal();
}

export function sendGraphError(reply: FastifyReply, req: FastifyRequest, err: GraphError, clock: Clock): FastifyReply {
  for (const [k, v] of Object.entries(err.headers)) void reply.header(k, v);
  return reply.code(err.status).type(GRAPH_JSON).send(graphErrorBody(err, req, clock));
}

export function installGraphConventions(app: FastifyInstance, clock: Clock): void {
  // Graph clients send `Content-Type: application/json` with an empty body on
  // actions such as start/pause; treat that as "no body", not an error.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(['application/json', 'application/scim+json'], { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text, (k, v: unknown) => (k === '__proto__' ? undefined : v)));
    } catch {
      done(new GraphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.'), undefined);
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    void reply.header('request-id', String(req.id));
    void reply.header('client-request-id', clientRequestId(req));
  });

  app.addHook('preValidation', async (req) => {
    if (req.body === undefined && req.routeOptions.config.optionalBody) req.body = {};
    // No id contains control characters; PostgreSQL text cannot even hold NUL. Refuse them
    // here, once for every route, rather than let a store error become a 500.
    for (const [name, value] of Object.entries((req.params ?? {}) as Record<string, unknown>)) {
      if (typeof value === 'string' && hasControlCharacter(value)) {
        throw errors.badRequest(`The path segment '${name}' contains a control character.`, name);
      }
    }
  });

  app.setErrorHandler((err, req, reply) => {
    const ge = toGraphError(err, req);
    if (ge.status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ code: ge.code, status: ge.status }, ge.message);
    return sendGraphError(reply, req, ge, clock);
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    const ge = /\/synchronization(\/|$)/i.test(path)
      ? errors.noResource(req.method, `${req.protocol}://${req.host}${req.url}`)
      : new GraphError(404, 'Request_ResourceNotFound', `No resource matches '${req.method} ${path}'.`, { target: path });
    return sendGraphError(reply, req, ge, clock);
  });
}

export const newRequestId = (): string => randomUUID();
