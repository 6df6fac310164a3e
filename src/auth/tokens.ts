/**
 * Access tokens: JWTs shaped like Entra's v2 app-only tokens (aud Graph,
 * `roles` = application permissions, `tid`, `appid`/`azp`, `oid`), signed
 * with HS256 under a key derived from the server's secret key, so that every
 * process sharing a database and a secret key accepts every other's tokens.
 */
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { createSecretKey, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { deriveKey } from '../util/crypto.ts';
import { GraphError } from '../errors/graph-error.ts';
import type { Clock } from '../util/time.ts';

export const GRAPH_AUDIENCE = 'https://graph.microsoft.com';

export interface TokenClaims {
  clientId: string;
  roles: string[];
  tenantId: string;
}

export class TokenService {
  // A KeyObject, not raw bytes: jose would import raw bytes again on every verify.
  readonly #key: KeyObject;
  constructor(
    secretKey: string,
    private readonly tenantId: string,
    private readonly lifetimeSeconds: number,
    private readonly clock: Clock,
  ) {
    this.#key = createSecretKey(deriveKey(secretKey, 'jwt'));
  }

  get issuer(): string {
    return `https://sts.provisio.local/${this.tenantId}/`;
  }

  async issue(clientId: string, roles: string[]): Promise<{ token: string; expiresIn: number }> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const token = await new SignJWT({
      roles,
      tid: this.tenantId,
      appid: clientId,
      azp: clientId,
      oid: clientId,
      idtyp: 'app',
      ver: '2.0',
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(GRAPH_AUDIENCE)
      .setSubject(clientId)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + this.lifetimeSeconds)
      .sign(this.#key);
    return { token, expiresIn: this.lifetimeSeconds };
  }

  /** Verifies signature, issuer, audience and lifetime; throws a 401 GraphError. */
  async verify(token: string): Promise<TokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        issuer: this.issuer,
        audience: GRAPH_AUDIENCE,
        algorithms: ['HS256'],
        currentDate: this.clock.now(),
      });
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
      return { clientId: String(payload.appid ?? payload.sub), roles, tenantId: String(payload.tid) };
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) {
        throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.');
      }
      if (e instanceof joseErrors.JWTClaimValidationFailed && e.claim === 'nbf') {
        throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.');
      }
      throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience, issuer or signature.');
    }
  }
}
