/**
 * Validation of a bulkUpload request (inbound-and-console.md §1.2): what is
 * refused whole (400 "Invalid Data Format", nothing staged) and what is
 * staged to fail alone in the cycle (a record without externalId, a value
 * of the wrong type). Pure.
 */
import { GraphError } from '../errors/graph-error.ts';
import type { GraphErrorDetail } from '../errors/graph-error.ts';
import type { StagedOperation } from './staging.ts';

export const BULK_REQUEST_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const SCIM_MEDIA_TYPE = 'application/scim+json';
/** Entra's documented message for every request-level 400 of bulkUpload. */
export const INVALID_DATA_FORMAT = 'Invalid Data Format';

/** A 400 with Entra's message; the detail says what exactly is wrong. */
export function invalidDataFormat(detail: string, target?: string): GraphError {
  const details: GraphErrorDetail[] = [{ code: 'InvalidDataFormat', message: detail, ...(target ? { target } : {}) }];
  return new GraphError(400, 'BadRequest', `${INVALID_DATA_FORMAT}: ${detail}`, { ...(target ? { target } : {}), details });
}

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a parsed BulkRequest and returns its operations to stage.
 * @throws GraphError 400 "Invalid Data Format" naming the first problem.
 */
export function validateBulkRequest(body: unknown, maxOperations: number): StagedOperation[] {
  if (!isObject(body)) throw invalidDataFormat('the body must be a SCIM BulkRequest object.');
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.includes(BULK_REQUEST_URN)) {
    throw invalidDataFormat(`'schemas' must be ["${BULK_REQUEST_URN}"].`, 'schemas');
  }
  const ops = body.Operations;
  if (!Array.isArray(ops) || ops.length === 0) throw invalidDataFormat("'Operations' must be a non-empty array of operations.", 'Operations');
  if (ops.length > maxOperations) {
    throw invalidDataFormat(`the request has ${ops.length} operations; at most ${maxOperations} are allowed per request. Split the records into requests of ${maxOperations}.`, 'Operations');
  }
  const fail = body.failOnErrors;
  if (fail !== undefined && fail !== null && !Number.isInteger(fail)) throw invalidDataFormat("'failOnErrors' must be null or an integer.", 'failOnErrors');
  return ops.map((op: unknown, i) => {
    const where = `Operations[${i}]`;
    if (!isObject(op)) throw invalidDataFormat(`${where} must be an object.`, where);
    if (typeof op.method !== 'string' || op.method.toUpperCase() !== 'POST') {
      throw invalidDataFormat(`${where}.method must be "POST" (the service decides create, update, enable or disable itself).`, `${where}.method`);
    }
    if (typeof op.path !== 'string' || op.path.replace(/\/+$/, '').toLowerCase() !== '/users') {
      throw invalidDataFormat(`${where}.path must be "/Users".`, `${where}.path`);
    }
    if (!isObject(op.data)) throw invalidDataFormat(`${where}.data must be the SCIM user object.`, `${where}.data`);
    if (op.bulkId !== undefined && op.bulkId !== null && typeof op.bulkId !== 'string') {
      throw invalidDataFormat(`${where}.bulkId must be a string.`, `${where}.bulkId`);
    }
    const ext = op.data.externalId;
    return {
      bulkId: typeof op.bulkId === 'string' ? op.bulkId : null,
      // Staged even when missing or of the wrong type: the record then fails alone in the cycle.
      externalId: typeof ext === 'string' ? ext : null,
      data: op.data,
    };
  });
}
