#!/usr/bin/env bash
# The OpenAPI document as an integrator gets it: written from the build (no server), linted with
# Redocly's recommended rules (zero errors), and no response a generated client could not type.
# Needs `npm run build` first (the Swagger plugin's metadata exists only in the compiled code).
set -euo pipefail
cd "$(dirname "$0")/.."
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
out=dist/openapi.json
node dist/src/openapi/write-openapi.js --out "$out"
echo "== OpenAPI: $out written; redocly lint (recommended)"
npx redocly lint "$out" --format=summary
echo "== OpenAPI: responses a generated client could not type (must be 0)"
npx ts-node --transpile-only scripts/openapi-check.ts "$out"
