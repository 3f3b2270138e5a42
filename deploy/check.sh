#!/usr/bin/env sh
# Before `docker compose up`: the file Prometheus needs, which compose cannot check (a missing bind
# source may become an empty directory). The compose file itself refuses to start without each
# required variable (`${VAR:?}`), and Prometheus's entrypoint refuses a missing or empty token file.
set -eu
cd "$(dirname "$0")"
token=prometheus/metrics-token
if [ -d "$token" ]; then
  echo "deploy/check.sh: $token is a directory (a bind mount made it when the file was missing): remove it, then write the token" >&2
  exit 1
elif [ ! -s "$token" ]; then
  echo "deploy/check.sh: $token is missing or empty: printf '%s' \"\$METRICS_TOKEN\" > deploy/$token" >&2
  exit 1
elif [ -n "${METRICS_TOKEN:-}" ] && [ "$(cat "$token")" != "$METRICS_TOKEN" ]; then
  echo "deploy/check.sh: $token differs from METRICS_TOKEN: Prometheus's scrapes would get 401" >&2
  exit 1
fi
echo "deploy/check.sh: $token is in place"
