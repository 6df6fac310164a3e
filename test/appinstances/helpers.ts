/**
 * What the application-instance tests share: the documented ids, a test
 * app whose tenant domain is the docs' contoso.com (so the examples run
 * verbatim), and small request helpers.
 */
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { Reply, TestApp } from '../helpers/app.ts';

export const DOMAIN = 'contoso.com';
export const AA = 'ce933385-9390-45d1-9512-c8d228074e07';
export const CQ = '11cd3e2e-fccb-42ad-ad00-878b93575e07';
export const EMPTY = '00000000-0000-0000-0000-000000000000';
/** The compliance-recording bot id of the recording-policy transcript (a third-party application). */
export const BOT = 'fcc88ff5-a42d-49cf-b3d8-f2e1f609d511';
/** The Auto Attendant id of New-CsOnlineApplicationInstanceAssociation Example 1. */
export const AA_CONFIG = 'c2ee3e18-b738-5515-a97b-46be52dfc057';
export const CQ_CONFIG = '9a7e0f3e-3b0b-4d6e-8f3c-2f6a4b1d0c11';
export const ACS = 'bb567890-1234-1234-1234-bbb123456789';

/** Graph requires a password on POST /users. */
export const PASSWORD = { password: 'Passw0rd!x', forceChangePasswordNextSignIn: false };

export const BASE = '/v1.0/admin/teams/resourceAccounts';
export const MAPPINGS = '/v1.0/admin/teams/agentProvisioningMappings';
export const CONFIGURATIONS = '/v1.0/admin/teams/applicationConfigurations';

/** A test app on a fresh store whose tenant's online domain is contoso.com. */
export async function startAppInstanceApp(opts: { roles?: readonly string[] } = {}): Promise<TestApp> {
  // The tenant's domain is read when the store is first set up (services.ts loadTenant).
  process.env.PROVISIO_TENANT_DOMAIN = DOMAIN;
  return startTestApp(opts);
}

/** Creates an instance through the API and returns it. */
export async function newInstance(t: TestApp, alias: string, extra: Record<string, unknown> = {}): Promise<Record<string, string>> {
  const r = await t.post(BASE, { userPrincipalName: `${alias}@${DOMAIN}`, ...extra });
  assert.equal(r.status, 201, r.text);
  return r.body as Record<string, string>;
}

export function assertError(r: Reply, status: number, code: string, message?: RegExp | string): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.body?.error?.code, code, r.text);
  if (typeof message === 'string') assert.equal(r.body.error.message, message);
  else if (message) assert.match(r.body.error.message, message);
}

export const warningsOf = (r: Reply): string[] => (r.body?.['@provisio.warnings'] as string[] | undefined) ?? [];
