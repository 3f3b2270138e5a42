#!/usr/bin/env bash
# The OpenAPI document as an integrator gets it: written from the build (no server), linted with
# Redocly's recommended rules (zero errors), and no response a generated client could not type.
# Then a client generated from it compiles with strict and drives the app (an e2e spec; on PostgreSQL
# with TEST_DATABASE_URL). Needs `npm run build` first (the Swagger plugin's metadata exists only in the compiled code).
set -euo pipefail
cd "$(dirname "$0")/.."
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
out=dist/openapi.json
node dist/src/openapi/write-openapi.js --out "$out"
echo "== OpenAPI: $out written; redocly lint (recommended)"
npx redocly lint "$out" --format=summary
echo "== OpenAPI: responses a generated client could not type (must be 0)"
npx ts-node --transpile-only scripts/openapi-check.ts "$out"
echo "== OpenAPI: a client generated with @hey-api/openapi-ts (test/openapi-client/generated, git-ignored), compiled with strict"
rm -rf test/openapi-client/generated
npx openapi-ts -i "./$out" -o ./test/openapi-client/generated -c @hey-api/client-fetch --no-log-file --silent
cp "$out" test/openapi-client/generated/openapi.json
npx tsc -p tsconfig.openapi-client.json
echo "== OpenAPI: the generated client drives the app (push, poll, report; balances, recharge)${TEST_DATABASE_URL:+ on $TEST_DATABASE_URL}"
npx jest -c jest.config.js --selectProjects openapi-client
