/**
 * Get-MgApplicationSynchronizationAccessToken (seed 003): have the service
 * acquire an OAuth token for the application from the given credentials.
 * POST /applications/{id}/synchronization/acquireAccessToken (204).
 */
import type { CmdletDefinition } from './cmdlet.ts';
import { HEADERS, SHOULD_PROCESS, identityMember, str } from './cmdlet.ts';
import { seg } from '../context.ts';
import { toGraphCasing } from '../powershell-params.ts';

const NAME = 'Get-MgApplicationSynchronizationAccessToken';
const EXPANDED = ['AcquireExpanded', 'AcquireViaIdentityExpanded'];
const DIRECT = ['Acquire', 'AcquireExpanded'];
const VIA_IDENTITY = ['AcquireViaIdentity', 'AcquireViaIdentityExpanded'];
const BODY = ['Acquire', 'AcquireViaIdentity'];

/** Get-MgApplicationSynchronizationAccessToken: its parameters and sets as documented, and the request each set makes. */
export const getMgApplicationSynchronizationAccessToken: CmdletDefinition = {
  signature: {
    name: NAME,
    sets: ['AcquireExpanded', 'Acquire', 'AcquireViaIdentity', 'AcquireViaIdentityExpanded'],
    defaultSet: 'AcquireExpanded',
    parameters: [
      { name: 'ApplicationId', kind: 'string', typeName: 'String', sets: DIRECT, mandatoryIn: DIRECT, description: 'The unique identifier of application' },
      { name: 'InputObject', kind: 'object', typeName: 'IApplicationsIdentity', sets: VIA_IDENTITY, mandatoryIn: VIA_IDENTITY, description: 'Identity Parameter' },
      {
        name: 'BodyParameter', kind: 'object', sets: BODY, mandatoryIn: BODY,
        typeName: 'IPaths1RpqowmApplicationsApplicationIdSynchronizationMicrosoftGraphAcquireaccesstokenPostRequestbodyContentApplicationJsonSchema',
      },
      { name: 'Credentials', kind: 'array', typeName: 'IMicrosoftGraphSynchronizationSecretKeyStringValuePair', sets: EXPANDED },
      { name: 'AdditionalProperties', kind: 'object', typeName: 'Hashtable', sets: EXPANDED, description: 'Additional Parameters' },
      HEADERS,
      { name: 'ResponseHeadersVariable', kind: 'string', typeName: 'String', aliases: ['RHV'], description: 'Optional Response Headers Variable.' },
      { name: 'PassThru', kind: 'switch', typeName: 'SwitchParameter', description: 'Returns true when the command succeeds' },
      ...SHOULD_PROCESS,
    ],
  },
  plan(bound) {
    const appId = VIA_IDENTITY.includes(bound.set) ? identityMember(bound, 'ApplicationId') : str(bound, 'ApplicationId');
    const credentials = bound.values.get('Credentials');
    const body = BODY.includes(bound.set)
      ? toGraphCasing(bound.values.get('BodyParameter'))
      : { ...(bound.values.get('AdditionalProperties') as object | undefined), ...(credentials !== undefined ? { credentials: toGraphCasing(credentials) } : {}) };
    return {
      operation: `${NAME}_${bound.set}`,
      target: `ApplicationId: ${appId}`,
      request: { method: 'POST', path: `/v1.0/applications/${seg(appId)}/synchronization/acquireAccessToken`, body },
    };
  },
};
