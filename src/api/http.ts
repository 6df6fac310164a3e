/**
 * Small helpers every Graph route uses.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GRAPH_JSON } from '../graph/odata.ts';
import { errors } from '../errors/graph-error.ts';

/** `https://host/v1.0/$metadata#<fragment>` for this server. */
export function odataContext(req: FastifyRequest, fragment: string): string {
  return `${baseUrl(req)}/v1.0/$metadata#${fragment}`;
}

export function baseUrl(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

/** Sends a Graph JSON body with the OData content type. */
export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type(GRAPH_JSON).send(body);
}

export function noContent(reply: FastifyReply): FastifyReply {
  return reply.code(204).send();
}

/** True when the text holds a C0 control character (NUL above all: PostgreSQL text cannot hold it). */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20) return true;
  return false;
}

/** Graph ids in paths: refuse what cannot be an id before touching the store. */
export function checkId(id: string, what: string): string {
  if (id.length === 0 || id.length > 256 || /[\s'"\\]/.test(id) || hasControlCharacter(id)) throw errors.badRequest(`'${id}' is not a valid ${what} id.`, what);
  return id;
}

/** The query options a route accepts; anything else starting with `$` is refused, as Graph refuses unknown options. */
export function checkQueryOptions(query: unknown, allowed: readonly string[]): Record<string, string | undefined> {
  const q = (query ?? {}) as Record<string, unknown>;
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(q)) {
    const key = k.startsWith('$') ? k.toLowerCase() : k;
    if (k.startsWith('$') && !allowed.includes(key)) {
      throw errors.badRequest(`Query option '${k}' is not supported on this resource; supported: ${allowed.join(', ') || 'none'}.`, k);
    }
    if (Array.isArray(v)) throw errors.badRequest(`Query option '${k}' was given more than once.`, k);
    out[key] = v === undefined ? undefined : String(v);
  }
  return out;
}
