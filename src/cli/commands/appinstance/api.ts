/**
 * The application-instance REST surface, in one place: Graph's
 * `admin/teams/resourceAccounts` (docs/application-instances.md), whose
 * properties are Graph's (`appId`, not `applicationId`). Everything else
 * (the `appinstance` commands, Sync-CsOnlineApplicationInstance, -WhatIf
 * output) goes through `appInstanceRequest`.
 */
import type { GraphClient, GraphRequest, GraphResponse } from '../../http-client.ts';
import { seg } from '../../context.ts';

/** Removes the mapping when passed as the application id to sync (Sync-CsOnlineApplicationInstance, example 2). */
export const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

/** Every application-instance operation the command line performs. */
export type AppInstanceOperation =
  | { op: 'list'; top?: number }
  | { op: 'get'; identity: string }
  | { op: 'create'; userPrincipalName: string; displayName?: string; applicationId?: string }
  | { op: 'set'; identity: string; displayName?: string; applicationId?: string; acsResourceId?: string }
  | { op: 'sync'; objectId: string; applicationId?: string; acsResourceId?: string; callbackUri?: string; force?: boolean };

const BASE = '/v1.0/admin/teams/resourceAccounts';

/** Drops undefined members so that only what the user gave is sent. */
function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** The HTTP request for an application-instance operation. */
export function appInstanceRequest(o: AppInstanceOperation): GraphRequest {
  switch (o.op) {
    case 'list':
      return { method: 'GET', path: BASE, query: { $top: o.top } };
    case 'get':
      return { method: 'GET', path: `${BASE}/${seg(o.identity)}` };
    case 'create':
      return { method: 'POST', path: BASE, body: defined({ userPrincipalName: o.userPrincipalName, displayName: o.displayName, appId: o.applicationId }) };
    case 'set':
      return { method: 'PATCH', path: `${BASE}/${seg(o.identity)}`, body: defined({ displayName: o.displayName, appId: o.applicationId, acsResourceId: o.acsResourceId }) };
    case 'sync':
      return {
        method: 'POST',
        path: `${BASE}/${seg(o.objectId)}/sync`,
        query: { force: o.force ? 'true' : undefined },
        body: defined({ appId: o.applicationId, acsResourceId: o.acsResourceId, callbackUri: o.callbackUri }),
      };
  }
}

/** Performs an application-instance operation. */
export function callAppInstance<T = Record<string, unknown>>(client: GraphClient, o: AppInstanceOperation): Promise<GraphResponse<T>> {
  return client.request<T>(appInstanceRequest(o));
}
