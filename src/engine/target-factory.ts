/**
 * Builds the target of a job from its synchronization secrets: the SCIM
 * endpoint (`BaseAddress`, whose flags choose the dialect) and the bearer
 * credential (`SecretToken`, else the OAuth access token acquireAccessToken
 * obtained).
 */
import type { TargetPort } from '../connectors/ports.ts';
import { StopRunError, TargetErrorCodes } from '../connectors/errors.ts';
import { createScimTarget } from '../connectors/scim/target.ts';
import type { SecretName } from '../graph/sync-schemas.ts';

export type Secrets = Partial<Record<SecretName, string>>;
export type TargetFactory = (secrets: Secrets, opts: { dryRun?: boolean }) => TargetPort;

export const scimTargetFactory: TargetFactory = (secrets, opts) => {
  const baseAddress = secrets.BaseAddress;
  if (!baseAddress) {
    throw new StopRunError(TargetErrorCodes.invalidCredentials, 'Please provide a valid tenant URL for your application.');
  }
  try {
    return createScimTarget({
      baseAddress,
      secretToken: secrets.SecretToken ?? secrets.Oauth2AccessToken,
      ...(opts.dryRun ? { dryRun: true } : {}),
    });
  } catch (e) {
    throw new StopRunError(TargetErrorCodes.invalidCredentials, `Please provide a valid tenant URL for your application: ${(e as Error).message}`);
  }
};

/** Secrets are strings; Entra writes booleans as "True"/"true"/"False". */
export function secretFlag(secrets: Secrets, key: SecretName): boolean {
  return (secrets[key] ?? '').trim().toLowerCase() === 'true';
}
