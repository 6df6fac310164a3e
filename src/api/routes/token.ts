/**
 * OAuth 2.0 token endpoint, client-credentials grant (RFC 6749 §4.4), in
 * Entra's v2 form: `POST /oauth2/v2.0/token` and `/{tenant}/oauth2/v2.0/token`.
 * Errors are OAuth-shaped (`error`, `error_description`, …), as Entra's are.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services.ts';
import { graphErrorDate } from '../../util/time.ts';

interface TokenForm {
  grant_type?: string;
  client_id?: string;
  client_secret?: string;
  scope?: string;
}

function oauthError(reply: FastifyReply, req: FastifyRequest, status: number, error: string, description: string, code: number) {
  return reply.code(status).send({
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${String(req.id)} Timestamp: ${graphErrorDate(new Date())}Z`,
    error_codes: [code],
    timestamp: `${graphErrorDate(new Date())}Z`,
    trace_id: String(req.id),
    correlation_id: String(req.id),
  });
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const m = header && /^Basic\s+(\S+)$/i.exec(header);
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { id: decodeURIComponent(decoded.slice(0, i)), secret: decodeURIComponent(decoded.slice(i + 1)) };
}

export function tokenRoutes(app: FastifyInstance, services: Services): void {
  const handler = async (req: FastifyRequest<{ Body: TokenForm | undefined; Params: { tenant?: string } }>, reply: FastifyReply) => {
    const tenant = req.params.tenant;
    if (tenant && !['common', 'organizations', services.tenant.id].includes(tenant.toLowerCase()) && tenant !== services.tenant.domain) {
      return oauthError(reply, req, 400, 'invalid_request', `Tenant '${tenant}' not found.`, 90002);
    }
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as TokenForm;
    if (body.grant_type === undefined) {
      return oauthError(reply, req, 400, 'invalid_request', "The request body must contain the following parameter: 'grant_type'.", 900144);
    }
    if (body.grant_type !== 'client_credentials') {
      return oauthError(reply, req, 400, 'unsupported_grant_type', `The grant type '${body.grant_type}' is not supported; use client_credentials.`, 70003);
    }
    if (body.scope !== undefined && !/\/\.default$/.test(body.scope.trim())) {
      return oauthError(reply, req, 400, 'invalid_scope', `The provided value '${body.scope}' for the input parameter 'scope' is not valid. The scope requested must end in '/.default'.`, 1002012);
    }
    const basic = basicCredentials(req.headers.authorization);
    const clientId = basic?.id ?? body.client_id;
    const secret = basic?.secret ?? body.client_secret;
    if (!clientId) {
      return oauthError(reply, req, 400, 'invalid_request', "The request body must contain the following parameter: 'client_id'.", 900144);
    }
    if (!secret) {
      return oauthError(reply, req, 401, 'invalid_client', "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", 7000218);
    }
    const client = await services.clients.authenticate(clientId, secret);
    if (!client) {
      return oauthError(reply, req, 401, 'invalid_client', `Invalid client secret provided for client '${clientId}'.`, 7000215);
    }
    const { token, expiresIn } = await services.tokens.issue(client.clientId, client.roles);
    return reply
      .header('cache-control', 'no-store')
      .header('pragma', 'no-cache')
      .send({ token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: token });
  };
  const config = { permissions: 'public' as const };
  app.post('/oauth2/v2.0/token', { config }, handler);
  app.post('/:tenant/oauth2/v2.0/token', { config }, handler);
}
