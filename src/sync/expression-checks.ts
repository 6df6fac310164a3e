/**
 * Schema validation that needs the expression language: every attribute
 * mapping's source must parse and type-check (known functions, arity,
 * known source attributes), and every scoping filter must name known
 * operators and attributes. Each problem names the mapping and the position.
 */
import { ExpressionError, check, fromMappingSource, validateFilter } from '../expressions/index.ts';
import type { AttributeMappingSource } from '../expressions/index.ts';
import type { SynchronizationSchemaT } from '../graph/sync-schemas.ts';
import { validateSchema } from './schema-validation.ts';
import type { AttributeMappingContext, ExpressionProblem } from './schema-validation.ts';
import type { SchemaProblem } from './sync-service.ts';

function* checkMapping(ctx: AttributeMappingContext): Iterable<ExpressionProblem> {
  const where = `attribute mapping '${ctx.attributeMapping.targetAttributeName}' of '${ctx.objectMapping.name ?? ctx.objectMapping.sourceObjectName}'`;
  let ast;
  try {
    ast = fromMappingSource(ctx.attributeMapping.source as AttributeMappingSource);
  } catch (e) {
    if (!(e instanceof ExpressionError)) throw e;
    yield { message: `The source of ${where} is not a valid expression: ${e.message}`, target: `${ctx.target}.source` };
    return;
  }
  const attributes = (ctx.sourceObject.attributes ?? []).map((a) => a.name);
  for (const d of check(ast, { attributes })) {
    if (d.severity !== 'error') continue;
    yield { message: `In ${where}: ${d.message}`, target: `${ctx.target}.source` };
  }
}

/** Structural validation plus expression and scoping-filter checks. */
export function validateSchemaWithExpressions(schema: SynchronizationSchemaT): SchemaProblem[] {
  const problems: SchemaProblem[] = validateSchema(schema, { expressionCheck: checkMapping });
  const directories = schema.directories ?? [];
  for (const [i, rule] of (schema.synchronizationRules ?? []).entries()) {
    const source = directories.find((d) => d.name === rule.sourceDirectoryName);
    for (const [j, om] of (rule.objectMappings ?? []).entries()) {
      if (!om.scope) continue;
      const object = source?.objects?.find((o) => o.name === om.sourceObjectName);
      const diagnostics = validateFilter(om.scope as Parameters<typeof validateFilter>[0], object ? { attributes: (object.attributes ?? []).map((a) => a.name) } : {});
      for (const d of diagnostics) {
        if (d.severity !== 'error') continue;
        problems.push({ message: `In the scoping filter of '${om.name ?? om.sourceObjectName}': ${d.message}`, target: `synchronizationRules[${i}].objectMappings[${j}].scope.${d.target}` });
      }
    }
  }
  return problems;
}
