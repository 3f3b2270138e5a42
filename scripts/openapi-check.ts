import { readFileSync } from 'node:fs';
import { findUntypedResponses } from '../src/openapi/untyped-responses';

/**
 * `npm run openapi:check` step: counts the responses a generated client could not type (no schema,
 * an `object` with no properties, no description). CI wants zero.
 */
const file = process.argv[2];
if (!file) throw new Error('usage: openapi-check <openapi.json>');
const problems = findUntypedResponses(JSON.parse(readFileSync(file, 'utf8')));
for (const problem of problems) console.log(`  ${problem}`);
console.log(`${problems.length} untyped response(s) in ${file}`);
process.exit(problems.length === 0 ? 0 : 1);
