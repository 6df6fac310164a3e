/** The LDAP source connector's public surface (docs/ldap-source.md). */
export { LdapSource, LdapImport, type LdapImportStats } from './source.ts';
export {
  attributeValues, memoryAnchorStore,
  type LdapAnchorStore, type LdapChange, type LdapDeltaMethod, type LdapEntry, type LdapObjectType, type LdapScope,
  type LdapServerFlavor, type LdapServerInfo, type LdapSourceOptions,
} from './types.ts';
export { LdapSourceError, LdapErrorCodes, isLdapSourceError, type LdapSourceErrorKind, type LdapErrorCode } from './errors.ts';
export { ldapSourceOptionsFromSecrets, type JobSecrets } from './secrets.ts';
export { guidFromBytes, guidToBytes, immutableIdFromGuid, sidFromBytes } from './binary.ts';
export { normalizeDn, isAtOrUnder } from './dn.ts';
export { DirSyncControl, DirSyncFlags, ShowDeletedControl } from './controls.ts';
