/**
 * Graph application permissions (app roles) that Provisio understands.
 * A token carries them in its `roles` claim; each route names the ones
 * that let a caller in (any one suffices, least privileged first).
 */
export const Permissions = {
  SynchronizationRead: 'Synchronization.Read.All',
  SynchronizationReadWrite: 'Synchronization.ReadWrite.All',
  ApplicationReadWriteOwnedBy: 'Application.ReadWrite.OwnedBy',
  ApplicationRead: 'Application.Read.All',
  ApplicationReadWrite: 'Application.ReadWrite.All',
  UserRead: 'User.Read.All',
  UserReadWrite: 'User.ReadWrite.All',
  GroupRead: 'Group.Read.All',
  GroupReadWrite: 'Group.ReadWrite.All',
  GroupMemberReadWrite: 'GroupMember.ReadWrite.All',
  DirectoryRead: 'Directory.Read.All',
  DirectoryReadWrite: 'Directory.ReadWrite.All',
  AppRoleAssignmentReadWrite: 'AppRoleAssignment.ReadWrite.All',
  AuditLogRead: 'AuditLog.Read.All',
  UploadOwnedBy: 'SynchronizationData-User.Upload.OwnedBy',
  Upload: 'SynchronizationData-User.Upload',
  AppInstanceRead: 'Organization.Read.All',
  AppInstanceReadWrite: 'Organization.ReadWrite.All',
} as const;

export type Permission = (typeof Permissions)[keyof typeof Permissions];
export const ALL_PERMISSIONS: readonly Permission[] = Object.values(Permissions);

const P = Permissions;
/** Route permission sets, named after the operation groups of graph-sync-api.md §2.5. */
export const Require = {
  syncRead: [P.ApplicationReadWriteOwnedBy, P.SynchronizationRead, P.SynchronizationReadWrite],
  syncWrite: [P.ApplicationReadWriteOwnedBy, P.SynchronizationReadWrite],
  appRead: [P.ApplicationRead, P.ApplicationReadWriteOwnedBy, P.ApplicationReadWrite, P.DirectoryRead, P.DirectoryReadWrite],
  appWrite: [P.ApplicationReadWriteOwnedBy, P.ApplicationReadWrite, P.DirectoryReadWrite],
  userRead: [P.UserRead, P.UserReadWrite, P.DirectoryRead, P.DirectoryReadWrite],
  userWrite: [P.UserReadWrite, P.DirectoryReadWrite],
  groupRead: [P.GroupRead, P.GroupReadWrite, P.DirectoryRead, P.DirectoryReadWrite],
  groupWrite: [P.GroupReadWrite, P.DirectoryReadWrite],
  memberWrite: [P.GroupMemberReadWrite, P.GroupReadWrite, P.DirectoryReadWrite],
  assignmentWrite: [P.AppRoleAssignmentReadWrite, P.DirectoryReadWrite],
  auditRead: [P.AuditLogRead],
  upload: [P.UploadOwnedBy, P.Upload],
  appInstanceRead: [P.AppInstanceRead, P.AppInstanceReadWrite, P.DirectoryRead, P.DirectoryReadWrite],
  appInstanceWrite: [P.AppInstanceReadWrite, P.DirectoryReadWrite],
} as const satisfies Record<string, readonly Permission[]>;

export function isPermission(s: string): s is Permission {
  return (ALL_PERMISSIONS as readonly string[]).includes(s);
}
