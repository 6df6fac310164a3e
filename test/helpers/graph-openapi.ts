/**
 * Validates response bodies against the Graph OpenAPI subset in
 * ../shared/reference (derived from the official CSDL).
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const doc = JSON.parse(readFileSync(new URL('../../../shared/reference/graph-sync-openapi-subset.json', import.meta.url), 'utf8')) as {
  components: { schemas: Record<string, { enum?: string[]; pattern?: string; 'x-ms-enum-flags'?: { isFlags?: boolean } }> };
};

// Flags enums travel as comma-separated member lists ("Add, Update, Delete",
// as the document's own description says); a plain `enum` would refuse them.
for (const schema of Object.values(doc.components.schemas)) {
  if (schema['x-ms-enum-flags']?.isFlags && schema.enum) {
    const member = `(?:${schema.enum.join('|')})`;
    schema.pattern = `^${member}(?:\\s*,\\s*${member})*$`;
    delete schema.enum;
  }
}

const ajv = new Ajv({ strict: false, allErrors: true });
(addFormatsModule as unknown as (a: Ajv) => void)(ajv);
for (const f of ['int64', 'int32', 'int16', 'uuid', 'duration', 'base64url', 'double', 'float']) ajv.addFormat(f, true);
ajv.addSchema(doc, 'graph');

const cache = new Map<string, ValidateFunction>();

/** Throws with ajv's errors when `body` does not match `microsoft.graph.<type>`. */
export function assertGraphShape(type: string, body: unknown): void {
  let v = cache.get(type);
  if (!v) {
    v = ajv.getSchema(`graph#/components/schemas/${type}`);
    if (!v) throw new Error(`No schema ${type} in the OpenAPI subset.`);
    cache.set(type, v);
  }
  if (!v(body)) {
    throw new Error(`Response does not match ${type}: ${JSON.stringify(v.errors, null, 1).slice(0, 2000)}\nbody: ${JSON.stringify(body).slice(0, 1000)}`);
  }
}
