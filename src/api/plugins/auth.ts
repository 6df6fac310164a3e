/**
 * Bearer-token check for every /v1.0 route. A route declares the Graph
 * permissions that admit a caller in `config.permissions` (any one
 * suffices); a /v1.0 route without that declaration fails at start-up, so
 * no route is ever left open by omission.
 */
import type { FastifyInstance } from 'fastify';
import type { TokenService, TokenClaims } from '../../auth/tokens.ts';
import { errors } from '../../errors/graph-error.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Any one of these Graph permissions admits the caller; `public` means no token needed. */
    permissions?: readonly string[] | 'public';
  }
  interface FastifyRequest {
    caller?: TokenClaims;
  }
}

export function installAuth(app: FastifyInstance, tokens: TokenService): void {
  app.addHook('onRoute', (route) => {
    const url = route.url ?? '';
    if (url.startsWith('/v1.0') && route.config?.permissions === undefined) {
      throw new Error(`Route ${String(route.method)} ${url} declares no permissions.`);
    }
  });

  app.addHook('onRequest', async (req) => {
    const needed = req.routeOptions.config?.permissions;
    if (needed === undefined || needed === 'public') return;
    const header = req.headers.authorization;
    if (!header) throw errors.unauthenticated('Access token is empty.');
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m?.[1]) throw errors.unauthenticated('Authorization header is not a Bearer token.');
    const claims = await tokens.verify(m[1]);
    if (!needed.some((p) => claims.roles.includes(p))) throw errors.forbidden(needed);
    req.caller = claims;
  });
}
