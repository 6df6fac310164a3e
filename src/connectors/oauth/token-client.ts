/**
 * OAuth 2.0 token requests to an application's token endpoint (RFC 6749
 * §4.1.3 authorization code, §4.4 client credentials, §6 refresh), for
 * `acquireAccessToken` and for the engine's token refresh. Only this module
 * speaks to token endpoints; failures come back as typed results, never as
 * thrown HTTP details, and the client secret never appears in them.
 */
import { request } from 'undici';

export type TokenGrant =
  | { kind: 'client_credentials'; clientId: string; clientSecret: string; scope?: string }
  | { kind: 'authorization_code'; clientId: string; clientSecret: string; code: string; redirectUri?: string }
  | { kind: 'refresh_token'; clientId: string; clientSecret: string; refreshToken: string };

export interface TokenSuccess {
  ok: true;
  accessToken: string;
  refreshToken?: string;
  /** Seconds, as the endpoint said (default 3600 when it said nothing). */
  expiresIn: number;
}

export interface TokenFailure {
  ok: false;
  /** `unreachable` when no HTTP answer came; else the endpoint's OAuth `error` or `http_<status>`. */
  error: string;
  description: string;
  status?: number;
}

const TIMEOUT_MS = 15_000;

export async function requestToken(tokenUrl: string, grant: TokenGrant): Promise<TokenSuccess | TokenFailure> {
  let url: URL;
  try {
    url = new URL(tokenUrl);
  } catch {
    return { ok: false, error: 'invalid_endpoint', description: `'${tokenUrl}' is not an absolute URL.` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, error: 'invalid_endpoint', description: `The token endpoint must be http(s), not '${url.protocol}'.` };
  }
  const form = new URLSearchParams({ grant_type: grant.kind, client_id: grant.clientId, client_secret: grant.clientSecret });
  if (grant.kind === 'client_credentials' && grant.scope) form.set('scope', grant.scope);
  if (grant.kind === 'authorization_code') {
    form.set('code', grant.code);
    if (grant.redirectUri) form.set('redirect_uri', grant.redirectUri);
  }
  if (grant.kind === 'refresh_token') form.set('refresh_token', grant.refreshToken);
  let status: number;
  let text: string;
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
    });
    status = res.statusCode;
    text = await res.body.text();
  } catch (e) {
    return { ok: false, error: 'unreachable', description: `The token endpoint ${url.origin} did not answer: ${(e as Error).message}` };
  }
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // a non-JSON answer is reported below by status
  }
  if (status >= 200 && status < 300 && typeof body.access_token === 'string') {
    const expires = Number(body.expires_in);
    return {
      ok: true,
      accessToken: body.access_token,
      ...(typeof body.refresh_token === 'string' ? { refreshToken: body.refresh_token } : {}),
      expiresIn: Number.isFinite(expires) && expires > 0 ? expires : 3600,
    };
  }
  const error = typeof body.error === 'string' ? body.error : `http_${status}`;
  const description = typeof body.error_description === 'string' ? body.error_description : `The token endpoint answered ${status} without an access token.`;
  return { ok: false, error, description: description.slice(0, 500), status };
}
