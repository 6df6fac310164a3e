/**
 * fast-check's seed for property tests: random on a developer's machine
 * (new counterexamples are found there; fast-check prints the seed and path
 * that replay one), fixed under CI so that a run is repeatable and a merge
 * is not refused for a counterexample nobody has seen yet.
 * PROVISIO_FC_SEED sets it anywhere.
 */
import fc from 'fast-check';

const given = process.env.PROVISIO_FC_SEED;
const seed = given !== undefined && given !== '' ? Number(given) : process.env.CI ? 20_261_125 : undefined;
if (seed !== undefined) fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
