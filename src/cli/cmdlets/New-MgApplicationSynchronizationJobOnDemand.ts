/**
 * New-MgApplicationSynchronizationJobOnDemand (seed 002): provision one
 * object now. POST /applications/{id}/synchronization/jobs/{jobId}/provisionOnDemand.
 */
import type { CmdletDefinition } from './cmdlet.ts';
import { HEADERS, SHOULD_PROCESS, identityMember, str } from './cmdlet.ts';
import { seg } from '../context.ts';
import { toGraphCasing } from '../powershell-params.ts';

const NAME = 'New-MgApplicationSynchronizationJobOnDemand';
const EXPANDED = ['ProvisionExpanded', 'ProvisionViaIdentityExpanded'];
const DIRECT = ['ProvisionExpanded', 'Provision'];
const VIA_IDENTITY = ['ProvisionViaIdentityExpanded', 'ProvisionViaIdentity'];
const BODY = ['Provision', 'ProvisionViaIdentity'];

/** New-MgApplicationSynchronizationJobOnDemand: its parameters and sets as documented, and the request each set makes. */
export const newMgApplicationSynchronizationJobOnDemand: CmdletDefinition = {
  signature: {
    name: NAME,
    sets: ['ProvisionExpanded', 'Provision', 'ProvisionViaIdentityExpanded', 'ProvisionViaIdentity'],
    defaultSet: 'ProvisionExpanded',
    parameters: [
      { name: 'ApplicationId', kind: 'string', typeName: 'String', sets: DIRECT, mandatoryIn: DIRECT, description: 'The unique identifier of application' },
      { name: 'SynchronizationJobId', kind: 'string', typeName: 'String', sets: DIRECT, mandatoryIn: DIRECT, description: 'The unique identifier of synchronizationJob' },
      { name: 'InputObject', kind: 'object', typeName: 'IApplicationsIdentity', sets: VIA_IDENTITY, mandatoryIn: VIA_IDENTITY, description: 'Identity Parameter' },
      {
        name: 'BodyParameter', kind: 'object', sets: BODY, mandatoryIn: BODY,
        typeName: 'IPaths1A5O87GApplicationsApplicationIdSynchronizationJobsSynchronizationjobIdMicrosoftGraphProvisionondemandPostRequestbodyContentApplicationJsonSchema',
      },
      { name: 'Parameters', kind: 'array', typeName: 'IMicrosoftGraphSynchronizationJobApplicationParameters', sets: EXPANDED },
      { name: 'AdditionalProperties', kind: 'object', typeName: 'Hashtable', sets: EXPANDED, description: 'Additional Parameters' },
      HEADERS,
      { name: 'ProgressAction', kind: 'string', typeName: 'ActionPreference', aliases: ['proga'] },
      ...SHOULD_PROCESS,
    ],
  },
  plan(bound) {
    const viaIdentity = VIA_IDENTITY.includes(bound.set);
    const appId = viaIdentity ? identityMember(bound, 'ApplicationId') : str(bound, 'ApplicationId');
    const jobId = viaIdentity ? identityMember(bound, 'SynchronizationJobId') : str(bound, 'SynchronizationJobId');
    const parameters = bound.values.get('Parameters');
    const body = BODY.includes(bound.set)
      ? toGraphCasing(bound.values.get('BodyParameter'))
      : { ...(bound.values.get('AdditionalProperties') as object | undefined), ...(parameters !== undefined ? { parameters: toGraphCasing(parameters) } : {}) };
    return {
      operation: `${NAME}_${bound.set}`,
      target: `ApplicationId: ${appId}, SynchronizationJobId: ${jobId}`,
      request: { method: 'POST', path: `/v1.0/applications/${seg(appId)}/synchronization/jobs/${seg(jobId)}/provisionOnDemand`, body },
    };
  },
};
