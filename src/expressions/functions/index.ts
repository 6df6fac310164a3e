/** Function name → implementation, for every entry of the catalog. */
import type { FunctionImplementation } from '../runtime.ts';
import { COLLECTION_FUNCTIONS } from './collections.ts';
import { DATE_FUNCTIONS } from './dates.ts';
import { LOGIC_FUNCTIONS } from './logic.ts';
import { replace } from './replace.ts';
import { TEXT_FUNCTIONS } from './text.ts';

export const IMPLEMENTATIONS: ReadonlyMap<string, FunctionImplementation> = new Map(
  Object.entries({ ...TEXT_FUNCTIONS, ...LOGIC_FUNCTIONS, ...COLLECTION_FUNCTIONS, ...DATE_FUNCTIONS, Replace: replace }),
);
