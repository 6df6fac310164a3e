/**
 * The seed cmdlets, accepted by their own names (case-insensitive) as the
 * first word of the command line, ahead of the noun-verb commands.
 */
import type { CmdletDefinition } from './cmdlet.ts';
import { startMgApplicationSynchronizationJob } from './Start-MgApplicationSynchronizationJob.ts';
import { newMgApplicationSynchronizationJobOnDemand } from './New-MgApplicationSynchronizationJobOnDemand.ts';
import { getMgApplicationSynchronizationAccessToken } from './Get-MgApplicationSynchronizationAccessToken.ts';
import { setMgServicePrincipalSynchronization } from './Set-MgServicePrincipalSynchronization.ts';
import { syncCsOnlineApplicationInstance } from './Sync-CsOnlineApplicationInstance.ts';

/** The five seed cmdlets, in the order `provisio --help` lists them. */
export const CMDLETS: readonly CmdletDefinition[] = [
  startMgApplicationSynchronizationJob,
  newMgApplicationSynchronizationJobOnDemand,
  getMgApplicationSynchronizationAccessToken,
  setMgServicePrincipalSynchronization,
  syncCsOnlineApplicationInstance,
];

/** The cmdlet a word names, ignoring case as PowerShell does. */
export function findCmdlet(word: string): CmdletDefinition | undefined {
  const w = word.toLowerCase();
  return CMDLETS.find((c) => c.signature.name.toLowerCase() === w);
}
