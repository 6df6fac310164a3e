/**
 * Sync-CsOnlineApplicationInstance (seed 000): store the application
 * instance → application mapping in the agent provisioning registry; the
 * all-zero GUID as -ApplicationId removes it. The HTTP call is
 * commands/appinstance/api.ts's, shared with `provisio appinstance sync`.
 */
import type { CmdletDefinition } from './cmdlet.ts';
import { SHOULD_PROCESS } from './cmdlet.ts';
import { appInstanceRequest } from '../commands/appinstance/api.ts';

const NAME = 'Sync-CsOnlineApplicationInstance';
/** PowerShell's name for the one set of a cmdlet that declares none. */
const ALL_SETS = '__AllParameterSets';

/** Sync-CsOnlineApplicationInstance: its parameters and sets as documented, and the request each set makes. */
export const syncCsOnlineApplicationInstance: CmdletDefinition = {
  signature: {
    name: NAME,
    sets: [ALL_SETS],
    defaultSet: ALL_SETS,
    parameters: [
      // The parameter table says Required: False, but the syntax block and the module mark it mandatory (teams-app-instance.md §4.5).
      { name: 'ObjectId', kind: 'guid', typeName: 'Guid', mandatoryIn: [ALL_SETS], description: 'The application instance ID.' },
      { name: 'ApplicationId', kind: 'guid', typeName: 'Guid', description: 'The application ID (00000000-0000-0000-0000-000000000000 removes the mapping).' },
      { name: 'AcsResourceId', kind: 'guid', typeName: 'Guid', description: 'The ACS Resource ID.' },
      { name: 'CallbackUri', kind: 'string', typeName: 'String', description: 'This parameter is reserved for internal Microsoft use.' },
      { name: 'Force', kind: 'switch', typeName: 'SwitchParameter', description: 'Suppress warning and confirmation messages.' },
      ...SHOULD_PROCESS,
    ],
  },
  plan(bound) {
    const v = bound.values;
    const objectId = v.get('ObjectId') as string;
    const applicationId = v.get('ApplicationId') as string | undefined;
    return {
      operation: NAME,
      target: `ObjectId: ${objectId}${applicationId !== undefined ? `, ApplicationId: ${applicationId}` : ''}`,
      request: appInstanceRequest({
        op: 'sync',
        objectId,
        applicationId,
        acsResourceId: v.get('AcsResourceId') as string | undefined,
        callbackUri: v.get('CallbackUri') as string | undefined,
        force: v.get('Force') === true,
      }),
    };
  },
};
