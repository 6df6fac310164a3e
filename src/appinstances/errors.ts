/**
 * The application-instance section of the error registry: every error the
 * instance, registry and association operations answer with, each with a
 * stable code and status (docs/application-instances.md, "Errors").
 * Malformed input uses Graph's `Request_BadRequest`; the domain's own
 * outcomes have their own codes. "Soft" conflicts (those `force=true`
 * overrides) say so in their message.
 */
import { GraphError } from '../errors/graph-error.ts';

const bad = (message: string, target?: string) => new GraphError(400, 'Request_BadRequest', message, { target });

export const appInstanceErrors = {
  invalidGuid: (property: string, value: string) =>
    bad(`Invalid value '${value}' for '${property}': expected a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).`, property),
  emptyApplicationId: (property: string) =>
    bad(`'${property}' cannot be 00000000-0000-0000-0000-000000000000 here: that value is not an application; pass it to sync to remove an instance's mapping.`, property),
  invalidIdentity: (value: string) =>
    bad(`'${value}' is not an application instance identity: give its object id (a GUID) or its userPrincipalName.`, 'identity'),
  invalidPhoneNumber: (value: string) =>
    new GraphError(400, 'InvalidPhoneNumber',
      `The phone number '${value}' is not in a valid format: give it in E.164 form with a leading + and no 'tel:' prefix, optionally with ';ext=', e.g. +14255550100.`,
      { target: 'phoneNumber' }),
  invalidConfigurationType: (value: string) =>
    bad(`Invalid configurationType '${value}': expected AutoAttendant or CallQueue.`, 'configurationType'),
  invalidConfigurationId: (value: string) =>
    bad(`Invalid configurationId '${value}': expected the identity of an Auto Attendant or Call Queue (1-256 characters, no spaces).`, 'configurationId'),
  invalidCallPriority: (value: unknown) =>
    bad(`Invalid callPriority '${String(value)}': expected an integer from 1 (very high) to 5 (very low).`, 'callPriority'),
  invalidCallbackUri: (value: string) => bad(`Invalid callbackUri '${value}': expected an absolute http or https URL.`, 'callbackUri'),
  invalidFlag: (name: string, value: string) => bad(`Invalid value '${value}' for query parameter '${name}': expected true or false.`, name),
  invalidMaxResults: (value: string) => bad(`Invalid maxResults '${value}': expected an integer from 1 to 20.`, 'maxResults'),
  searchQueryRequired: () => bad("The query parameter 'searchQuery' is required.", 'searchQuery'),
  associatedAndUnassociated: () =>
    bad('associatedOnly and unassociatedOnly exclude each other: give at most one of them.', 'associatedOnly'),
  onlineDomainRequired: (upn: string, domains: readonly string[]) =>
    new GraphError(400, 'OnlineDomainRequired',
      `An application instance needs a userPrincipalName in an online domain of this tenant; the domain of '${upn}' is not one (online domains: ${domains.join(', ')}).`,
      { target: 'userPrincipalName' }),

  /** Sync for an instance whose mapping holds a different application id (Sync Example 2); the message is the cmdlet's, verbatim. */
  duplicateMapping: () => new GraphError(409, 'DuplicateApsMapping', 'An item with the same key has already been added.', { target: 'appId' }),
  instanceNotFound: (identity: string) =>
    new GraphError(404, 'InstanceNotFound', `Application instance '${identity}' was not found: no directory user has that object id or userPrincipalName.`, { target: 'identity' }),
  notAnInstance: (identity: string) =>
    new GraphError(404, 'InstanceNotFound',
      `'${identity}' is a directory user but not an application instance: its department is not 'Microsoft Communication Application Instance'.`,
      { target: 'identity' }),
  notRegistered: (objectId: string) =>
    new GraphError(404, 'InstanceNotRegistered', `Application with instance id ${objectId} is not registered in the agent provisioning registry.`),
  applicationIdRequired: (objectId: string) =>
    new GraphError(400, 'ApplicationIdRequired',
      `Application instance ${objectId} has no application id to sync: give appId (Sync-CsOnlineApplicationInstance -ApplicationId), or set one on the instance first.`,
      { target: 'appId' }),
  phoneNumberInUse: (number: string, otherId: string) =>
    new GraphError(409, 'PhoneNumberInUse',
      `The phone number ${number} is assigned to application instance ${otherId}. Pass force=true (-Force) to move it to this instance.`,
      { target: 'phoneNumber' }),
  associationConflict: (objectId: string, configurationType: string, configurationId: string, appId: string | null) =>
    new GraphError(409, 'AssociationConflict',
      `Application instance ${objectId} is associated with ${configurationType} ${configurationId}, which application id ${appId ?? '(none)'} cannot serve. ` +
      'Remove the association first, or pass force=true (-Force) to change the application id anyway.',
      { target: 'appId' }),
  configurationTypeConflict: (configurationId: string, existing: string, requested: string) =>
    new GraphError(409, 'ConfigurationTypeConflict',
      `Configuration ${configurationId} already has application instances associated as a ${existing}; it cannot also be a ${requested}.`,
      { target: 'configurationType' }),
  noAssociation: (identity: string) =>
    new GraphError(404, 'NoAssociation', `Application instance '${identity}' is not associated with any configuration.`, { target: 'identity' }),
  configurationNotFound: (configurationId: string) =>
    new GraphError(404, 'ConfigurationNotFound', `No application instance is associated with configuration '${configurationId}'.`, { target: 'configurationId' }),
} as const;

/** Per-identity failures of association operations: a code, an HTTP status and a message (not thrown). */
export interface ItemFailure {
  status: number;
  code: string;
  message: string;
}

export const itemFailures = {
  alreadyAssociated: (objectId: string, configurationType: string, configurationId: string): ItemFailure => ({
    status: 409,
    code: 'AlreadyAssociated',
    message: `Application instance ${objectId} is already associated with ${configurationType} ${configurationId}; remove that association first, or pass force=true to move it.`,
  }),
  configurationTypeMismatch: (objectId: string, appId: string | null, requested: string): ItemFailure => ({
    status: 422,
    code: 'ConfigurationTypeMismatch',
    message: appId === null
      ? `Application instance ${objectId} has no application id, so it cannot serve a ${requested}; set its application id first, or pass force=true.`
      : `Application instance ${objectId} has application id ${appId}, which cannot serve a ${requested}; set the ${requested} application id first, or pass force=true.`,
  }),
} as const;

/** .NET HttpStatusCode names for the statuses association results carry. */
export function statusName(status: number): string {
  switch (status) {
    case 200: return 'OK';
    case 201: return 'Created';
    case 400: return 'BadRequest';
    case 404: return 'NotFound';
    case 409: return 'Conflict';
    case 422: return 'UnprocessableEntity';
    default: return String(status);
  }
}
