/**
 * Set-MgServicePrincipalSynchronization (seed 001): PUT the whole
 * synchronization navigation property of a service principal (secrets,
 * jobs, templates). PUT /servicePrincipals/{id}/synchronization.
 */
import type { CmdletDefinition } from './cmdlet.ts';
import { HEADERS, SHOULD_PROCESS, identityMember, str } from './cmdlet.ts';
import { seg } from '../context.ts';
import { toGraphCasing } from '../powershell-params.ts';

const NAME = 'Set-MgServicePrincipalSynchronization';
const EXPANDED = ['UpdateExpanded', 'UpdateViaIdentityExpanded'];
const DIRECT = ['UpdateExpanded', 'Update'];
const VIA_IDENTITY = ['UpdateViaIdentityExpanded', 'UpdateViaIdentity'];
const BODY = ['Update', 'UpdateViaIdentity'];

/** Set-MgServicePrincipalSynchronization: its parameters and sets as documented, and the request each set makes. */
export const setMgServicePrincipalSynchronization: CmdletDefinition = {
  signature: {
    name: NAME,
    sets: ['UpdateExpanded', 'Update', 'UpdateViaIdentityExpanded', 'UpdateViaIdentity'],
    defaultSet: 'UpdateExpanded',
    parameters: [
      { name: 'ServicePrincipalId', kind: 'string', typeName: 'String', sets: DIRECT, mandatoryIn: DIRECT, description: 'The unique identifier of servicePrincipal' },
      { name: 'InputObject', kind: 'object', typeName: 'IApplicationsIdentity', sets: VIA_IDENTITY, mandatoryIn: VIA_IDENTITY, description: 'Identity Parameter' },
      { name: 'BodyParameter', kind: 'object', typeName: 'IMicrosoftGraphSynchronization', sets: BODY, mandatoryIn: BODY, description: 'synchronization' },
      { name: 'Id', kind: 'string', typeName: 'String', sets: EXPANDED, description: 'The unique identifier for an entity. Read-only.' },
      { name: 'Jobs', kind: 'array', typeName: 'IMicrosoftGraphSynchronizationJob', sets: EXPANDED },
      { name: 'Secrets', kind: 'array', typeName: 'IMicrosoftGraphSynchronizationSecretKeyStringValuePair', sets: EXPANDED },
      { name: 'Templates', kind: 'array', typeName: 'IMicrosoftGraphSynchronizationTemplate', sets: EXPANDED },
      { name: 'AdditionalProperties', kind: 'object', typeName: 'Hashtable', sets: EXPANDED, description: 'Additional Parameters' },
      HEADERS,
      { name: 'ResponseHeadersVariable', kind: 'string', typeName: 'String', aliases: ['RHV'], description: 'Optional Response Headers Variable.' },
      { name: 'ProgressAction', kind: 'string', typeName: 'ActionPreference', aliases: ['proga'] },
      ...SHOULD_PROCESS,
    ],
  },
  plan(bound) {
    const spId = VIA_IDENTITY.includes(bound.set) ? identityMember(bound, 'ServicePrincipalId') : str(bound, 'ServicePrincipalId');
    let body: unknown;
    if (BODY.includes(bound.set)) {
      body = toGraphCasing(bound.values.get('BodyParameter'));
    } else {
      const v = bound.values;
      body = {
        ...(v.get('AdditionalProperties') as object | undefined),
        ...(v.has('Id') ? { id: v.get('Id') } : {}),
        ...(v.has('Jobs') ? { jobs: toGraphCasing(v.get('Jobs')) } : {}),
        ...(v.has('Secrets') ? { secrets: toGraphCasing(v.get('Secrets')) } : {}),
        ...(v.has('Templates') ? { templates: toGraphCasing(v.get('Templates')) } : {}),
      };
    }
    return {
      operation: `${NAME}_${bound.set}`,
      target: `ServicePrincipalId: ${spId}`,
      request: { method: 'PUT', path: `/v1.0/servicePrincipals/${seg(spId)}/synchronization`, body },
    };
  },
};
