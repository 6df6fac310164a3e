/**
 * Start-MgApplicationSynchronizationJob (seed 004): start a job, resume a
 * paused one, clear quarantine. POST /applications/{id}/synchronization/jobs/{jobId}/start.
 */
import type { CmdletDefinition } from './cmdlet.ts';
import { SHOULD_PROCESS, identityMember, str } from './cmdlet.ts';
import { seg } from '../context.ts';

const NAME = 'Start-MgApplicationSynchronizationJob';

/** Start-MgApplicationSynchronizationJob: its parameters and sets as documented, and the request each set makes. */
export const startMgApplicationSynchronizationJob: CmdletDefinition = {
  signature: {
    name: NAME,
    sets: ['Start', 'StartViaIdentity'],
    defaultSet: 'Start',
    parameters: [
      { name: 'ApplicationId', kind: 'string', typeName: 'String', sets: ['Start'], mandatoryIn: ['Start'], description: 'The unique identifier of application' },
      { name: 'SynchronizationJobId', kind: 'string', typeName: 'String', sets: ['Start'], mandatoryIn: ['Start'], description: 'The unique identifier of synchronizationJob' },
      { name: 'InputObject', kind: 'object', typeName: 'IApplicationsIdentity', sets: ['StartViaIdentity'], mandatoryIn: ['StartViaIdentity'], description: 'Identity Parameter' },
      { name: 'PassThru', kind: 'switch', typeName: 'SwitchParameter', description: 'Returns true when the command succeeds' },
      ...SHOULD_PROCESS,
    ],
  },
  plan(bound) {
    const viaIdentity = bound.set === 'StartViaIdentity';
    const appId = viaIdentity ? identityMember(bound, 'ApplicationId') : str(bound, 'ApplicationId');
    const jobId = viaIdentity ? identityMember(bound, 'SynchronizationJobId') : str(bound, 'SynchronizationJobId');
    return {
      operation: `${NAME}_${bound.set}`,
      target: `ApplicationId: ${appId}, SynchronizationJobId: ${jobId}`,
      request: { method: 'POST', path: `/v1.0/applications/${seg(appId)}/synchronization/jobs/${seg(jobId)}/start` },
    };
  },
};
