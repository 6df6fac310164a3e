/**
 * acquireAccessToken (seed 003, Get-MgApplicationSynchronizationAccessToken):
 * exchanges OAuth credentials for an access token at the application's token
 * endpoint and keeps the result with the synchronization secrets, where the
 * engine finds it (and refreshes it) when it calls the application.
 */
import type { SyncService } from './sync-service.ts';
import type { Clock } from '../util/time.ts';
import { errors, GraphError } from '../errors/graph-error.ts';
import type { TokenGrant, TokenFailure, TokenSuccess } from '../connectors/oauth/token-client.ts';

export type TokenRequester = (tokenUrl: string, grant: TokenGrant) => Promise<TokenSuccess | TokenFailure>;

/** Credentials a client passes: synchronizationSecretKeyStringValuePair[]. */
export type CredentialPairs = { key: string; value?: string | null }[];

export async function acquireAccessToken(
  sync: SyncService,
  spId: string,
  credentials: CredentialPairs,
  requestToken: TokenRequester,
  clock: Clock,
): Promise<void> {
  const stored = await sync.readSecrets(spId);
  const given = new Map(credentials.map((c) => [c.key.toLowerCase(), c.value ?? '']));
  const pick = (...keys: string[]) => {
    for (const k of keys) {
      const v = given.get(k.toLowerCase()) ?? (stored as Record<string, string | undefined>)[k];
      if (v) return v;
    }
    return undefined;
  };
  const tokenUrl = pick('Oauth2TokenExchangeUri');
  const clientId = pick('Oauth2ClientId', 'ClientIdentifier');
  const clientSecret = pick('Oauth2ClientSecret', 'ClientSecret');
  const missing = [!tokenUrl && 'Oauth2TokenExchangeUri', !clientId && 'Oauth2ClientId', !clientSecret && 'Oauth2ClientSecret'].filter(Boolean);
  if (missing.length) {
    throw errors.badRequest(`acquireAccessToken needs ${missing.join(', ')} in credentials (or saved in the secrets).`, 'credentials');
  }
  // An authorization code is used once; it comes from this call only, never from storage.
  const code = given.get('oauth2authorizationcode');
  const grant: TokenGrant = code
    ? { kind: 'authorization_code', clientId: clientId!, clientSecret: clientSecret!, code, redirectUri: pick('Oauth2RedirectUri') }
    : { kind: 'client_credentials', clientId: clientId!, clientSecret: clientSecret! };
  const result = await requestToken(tokenUrl!, grant);
  if (!result.ok) {
    throw new GraphError(400, 'AccessTokenAcquisitionFailed',
      `The token endpoint refused the ${grant.kind} grant: ${result.error}: ${result.description}`, { target: 'Oauth2TokenExchangeUri' });
  }
  const now = clock.now();
  const keep = credentials.filter((c) => c.key.toLowerCase() !== 'oauth2authorizationcode' && c.value);
  await sync.putSecrets(spId, [
    ...keep,
    { key: 'Oauth2AccessToken', value: result.accessToken },
    { key: 'Oauth2AccessTokenCreationTime', value: now.toISOString() },
    { key: 'TokenExpiration', value: new Date(now.getTime() + result.expiresIn * 1000).toISOString() },
    ...(result.refreshToken ? [{ key: 'Oauth2RefreshToken', value: result.refreshToken }] : []),
  ]);
}
