/**
 * validateCredentials (graph-sync-api.md §3.3.9–3.3.10, the portal's "Test
 * Connection"): the connection test Entra runs at the start of every cycle
 * (entra-behavior.md §6.2) — a query for a user that cannot exist, and one
 * for a group when the job provisions groups — with the saved credentials,
 * or with the given ones laid over them. Nothing is saved.
 *
 * Job-bound, the job's schema says whether groups are probed; bound to the
 * collection (before a job exists), the named template's schema does.
 * Success is 204; a refusal is a Graph 400 whose `code` is the connector's
 * Entra-style code (e.g. `SystemForCrossDomainIdentityManagementInvalidCredentials`),
 * because the failure answer is not documented (§3.3.9).
 */
import type { JobRecord, SyncService } from '../sync/sync-service.ts';
import { SECRET_MASK } from '../sync/sync-service.ts';
import type { SecretName } from '../graph/sync-schemas.ts';
import { SYNCHRONIZATION_SECRETS } from '../graph/sync-schemas.ts';
import { GraphError, errors, isGraphError } from '../errors/graph-error.ts';
import { isTargetError } from '../connectors/errors.ts';
import type { TargetPort } from '../connectors/ports.ts';
import { compileJobSchema } from './mapping-plan.ts';
import type { CompiledJobSchema } from './mapping-plan.ts';
import type { Secrets, TargetFactory } from './target-factory.ts';
import { hasControl } from './on-demand.ts';

export interface ValidateCredentialsRequest {
  spId: string;
  /** The job, for the job-bound action. */
  job?: JobRecord;
  templateId?: string | null;
  applicationIdentifier?: string | null;
  /** True: validate the saved credentials and ignore `credentials`. */
  useSavedCredentials?: boolean | null;
  credentials?: { key: string; value?: string | null }[] | null;
}

export interface CredentialsDeps {
  sync: SyncService;
  targetFactory: TargetFactory;
  compile: (job: JobRecord) => CompiledJobSchema;
}

/** The secrets to test: saved ones, with the given ones laid over them (unless `useSavedCredentials`). */
export function credentialsToTest(saved: Secrets, given: ValidateCredentialsRequest['credentials'], useSaved: boolean): Secrets {
  if (useSaved) return saved;
  const out: Secrets = { ...saved };
  for (const [i, c] of (given ?? []).entries()) {
    const key = SYNCHRONIZATION_SECRETS.find((k) => k.toLowerCase() === c.key.toLowerCase());
    if (!key || key === 'None') {
      throw errors.badRequest(`credentials[${i}].key: '${c.key}' is not a synchronizationSecret (e.g. BaseAddress, SecretToken).`, `credentials[${i}].key`);
    }
    // A masked value read back from GET …/secrets means "the saved one".
    if (c.value === SECRET_MASK) continue;
    if (c.value === null || c.value === undefined || c.value === '') delete out[key as SecretName];
    else out[key as SecretName] = c.value;
  }
  return out;
}

export async function validateCredentials(deps: CredentialsDeps, req: ValidateCredentialsRequest): Promise<void> {
  if (req.templateId && (req.templateId.length > 256 || hasControl(req.templateId))) throw errors.badRequest('templateId is not a valid template id.', 'templateId');
  let groups: boolean;
  if (req.job) {
    if (req.templateId && req.templateId.toLowerCase() !== req.job.templateId.toLowerCase()) {
      throw errors.badRequest(`templateId '${req.templateId}' is not the job's template ('${req.job.templateId}').`, 'templateId');
    }
    groups = deps.compile(req.job).groups !== null;
  } else {
    if (!req.templateId) throw errors.badRequest('templateId is required when validating credentials before a job exists.', 'templateId');
    try {
      groups = compileJobSchema(await deps.sync.getTemplateSchema(req.spId, req.templateId)).groups !== null;
    } catch (e) {
      if (isGraphError(e) && e.status === 404) throw errors.badRequest(`The templateId '${req.templateId}' does not match any template of this service principal.`, 'templateId');
      throw e;
    }
  }
  const secrets = credentialsToTest(await deps.sync.readSecrets(req.spId), req.credentials, req.useSavedCredentials === true);
  let target: TargetPort | undefined;
  try {
    target = deps.targetFactory(secrets, {});
    await target.testConnection({ groups });
  } catch (e) {
    if (!isTargetError(e)) throw e;
    throw new GraphError(400, e.code, `The credentials could not be validated: ${e.message}`, { target: 'credentials' });
  } finally {
    await target?.close();
  }
}
