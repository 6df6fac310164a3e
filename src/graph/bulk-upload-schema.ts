/**
 * The bulkUpload request body (a SCIM 2.0 BulkRequest restricted as Graph
 * documents it, graph-sync-api.md §3.3.11), as a TypeBox schema for the
 * OpenAPI document. The route does not validate with it: the inbound
 * service checks the body and answers as Entra does ("Invalid Data Format").
 */
import { Type } from '@sinclair/typebox';

const ScimUser = Type.Object({
  schemas: Type.Array(Type.String(), { description: 'urn:ietf:params:scim:schemas:core:2.0:User, urn:ietf:params:scim:schemas:extension:enterprise:2.0:User and any custom extension URN used' }),
  externalId: Type.String({ description: 'The unique id of the person in the source system; matched with employeeId by default' }),
  userName: Type.Optional(Type.String()),
  active: Type.Optional(Type.Boolean({ description: 'true enables, false disables; absent disables unless the job setting AbsentActiveMeansUnchanged is True' })),
  displayName: Type.Optional(Type.String()),
  name: Type.Optional(Type.Object({ givenName: Type.Optional(Type.String()), familyName: Type.Optional(Type.String()) }, { additionalProperties: true })),
  emails: Type.Optional(Type.Array(Type.Object({ value: Type.String(), type: Type.Optional(Type.String()), primary: Type.Optional(Type.Boolean()) }))),
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': Type.Optional(Type.Object({
    department: Type.Optional(Type.String()),
    manager: Type.Optional(Type.Object({ value: Type.String({ description: "The manager's externalId" }) })),
  }, { additionalProperties: true })),
}, { additionalProperties: true });

export const BulkUploadBody = Type.Object({
  schemas: Type.Array(Type.Literal('urn:ietf:params:scim:api:messages:2.0:BulkRequest')),
  Operations: Type.Array(Type.Object({
    method: Type.Literal('POST'),
    bulkId: Type.Optional(Type.String()),
    path: Type.Literal('/Users'),
    data: ScimUser,
  }), { maxItems: 50, minItems: 1 }),
  failOnErrors: Type.Optional(Type.Union([Type.Null(), Type.Integer()])),
}, { additionalProperties: false });
