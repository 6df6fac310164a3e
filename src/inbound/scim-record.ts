/**
 * A SCIM user of a bulkUpload operation → an inbound record: its attributes
 * flattened to the API source schema's names (as Entra's log shows them:
 * `name.givenName`, `emails[type eq "work"].value`,
 * `urn:…:enterprise:2.0:User:department`, the manager as its `value`), and
 * the type problems that make the record fail alone. Pure.
 */
import type { InboundRecord, InboundValue } from './port.ts';
import { SCIM_CORE_USER_URN, SCIM_ENTERPRISE_USER_URN } from '../sync/templates/inbound.ts';

const STRING_ATTRIBUTES = ['userName', 'displayName', 'nickName', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone', 'profileUrl', 'externalId', 'password'];
const MULTI_COMPLEX = ['emails', 'phoneNumbers', 'addresses', 'ims', 'photos', 'roles', 'entitlements', 'x509Certificates'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function scalar(v: unknown): InboundValue | undefined {
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
  if (v === null) return null;
  return undefined;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

/**
 * Flattens one SCIM user. `externalId` is the staged copy (the source
 * anchor); a missing or empty one gives an empty anchor, which the cycle
 * fails with Entra's "Source identifier of an entry cannot be empty".
 */
export function scimUserToRecord(data: Record<string, unknown>, externalId: string | null): InboundRecord {
  const attributes: Record<string, InboundValue> = {};
  const problems: string[] = [];
  const schemas = Array.isArray(data.schemas) ? data.schemas.filter((s): s is string => typeof s === 'string') : [];
  for (const required of [SCIM_CORE_USER_URN, SCIM_ENTERPRISE_USER_URN]) {
    if (!schemas.some((s) => s.toLowerCase() === required.toLowerCase())) problems.push(`'schemas' must include '${required}'.`);
  }
  for (const [key, value] of Object.entries(data)) {
    if (key === 'schemas' || key === 'id' || key === 'meta' || key === 'password' || key === 'groups') continue;
    if (key.toLowerCase().startsWith('urn:')) {
      if (!isObject(value)) {
        problems.push(`'${key}' must be an object holding the extension's attributes, not ${typeName(value)}.`);
        continue;
      }
      if (!schemas.some((s) => s.toLowerCase() === key.toLowerCase())) problems.push(`'${key}' is used but not listed in 'schemas'.`);
      for (const [sub, v] of Object.entries(value)) {
        const name = `${key}:${sub}`;
        if (isObject(v)) {
          // A reference (manager) carries its target in `value`.
          if ('value' in v) {
            const ref = scalar(v.value);
            if (ref === undefined || typeof ref === 'boolean') problems.push(`'${name}.value' must be a string, not ${typeName(v.value)}.`);
            else attributes[name] = ref === null ? null : String(ref);
          } else {
            for (const [leaf, lv] of Object.entries(v)) {
              const s = scalar(lv);
              if (s === undefined) problems.push(`'${name}.${leaf}' must be a single value, not ${typeName(lv)}.`);
              else attributes[`${name}.${leaf}`] = s;
            }
          }
          continue;
        }
        if (Array.isArray(v)) {
          attributes[name] = v.map((x) => String(x));
          continue;
        }
        attributes[name] = scalar(v) ?? null;
      }
      continue;
    }
    if (key === 'active') {
      if (typeof value === 'boolean') attributes.active = value;
      else if (typeof value === 'string' && /^(true|false)$/i.test(value)) attributes.active = value.toLowerCase() === 'true';
      else if (value !== null) problems.push(`'active' must be a Boolean (true or false), not ${typeName(value)}${typeof value === 'string' ? ` '${value}'` : ''}.`);
      continue;
    }
    if (STRING_ATTRIBUTES.includes(key)) {
      if (typeof value === 'string') attributes[key] = value;
      else if (value !== null) problems.push(`'${key}' must be a string, not ${typeName(value)}.`);
      continue;
    }
    if (key === 'name') {
      if (!isObject(value)) {
        problems.push(`'name' must be an object (givenName, familyName, …), not ${typeName(value)}.`);
        continue;
      }
      for (const [sub, v] of Object.entries(value)) {
        if (typeof v === 'string') attributes[`name.${sub}`] = v;
        else if (v !== null) problems.push(`'name.${sub}' must be a string, not ${typeName(v)}.`);
      }
      continue;
    }
    if (MULTI_COMPLEX.includes(key)) {
      if (!Array.isArray(value)) {
        problems.push(`'${key}' must be an array of objects, not ${typeName(value)}.`);
        continue;
      }
      for (const [i, el] of value.entries()) {
        if (!isObject(el)) {
          problems.push(`'${key}[${i}]' must be an object, not ${typeName(el)}.`);
          continue;
        }
        const type = typeof el.type === 'string' && el.type ? el.type : 'work';
        for (const [sub, v] of Object.entries(el)) {
          if (sub === 'type' || sub === 'primary') continue;
          const s = scalar(v);
          if (s === undefined) problems.push(`'${key}[${i}].${sub}' must be a single value, not ${typeName(v)}.`);
          else if (s !== null) attributes[`${key}[type eq "${type}"].${sub}`] = typeof s === 'string' ? s : String(s);
        }
      }
      continue;
    }
    // Other attributes flow when the source schema has them (custom ones added to the API's attribute list).
    const s = scalar(value);
    if (s !== undefined) attributes[key] = s;
    else if (Array.isArray(value)) attributes[key] = value.map((x) => String(x));
  }
  const anchor = typeof externalId === 'string' ? externalId.trim() : '';
  const displayName = typeof data.userName === 'string' ? data.userName : typeof data.displayName === 'string' ? data.displayName : '';
  return { anchor, displayName, attributes, ...(problems.length ? { problems } : {}) };
}

/** Entra's log step details name attributes without `.` and `:` (inbound-and-console.md §1.6). */
export function logAttributeName(name: string): string {
  return name.replace(/[.:]/g, '');
}
