#!/usr/bin/env bash
# The deploy files, checked with the real tools: promtool (Debian's `prometheus` package) checks the
# shipped Prometheus config and runs the alert rules' unit tests; a compose implementation (the
# engine's `docker compose` plugin when present, else Debian's `docker-compose`) renders the shipped
# compose file with a database password full of URL-special characters, and the gateway must get
# that password byte for byte. Neither needs a docker engine. Installs what is missing with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  echo "== installing $* from Debian's packages"
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

command -v promtool >/dev/null || apt_install prometheus
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  command -v docker-compose >/dev/null || apt_install docker-compose
  compose=(docker-compose)
fi
python3 -c 'import yaml' 2>/dev/null || apt_install python3-yaml
echo "== $(promtool --version 2>&1 | head -1); compose: $("${compose[@]}" version 2>&1 | head -1)"

work="$(mktemp -d /tmp/merecharge-deploy.XXXXXX)"
trap 'rm -rf "$work"' EXIT

echo "== promtool check config deploy/prometheus/prometheus.yml (with a stand-in metrics-token)"
cp deploy/prometheus/prometheus.yml deploy/prometheus/alerts.yml "$work/"
# Without the token file the check fails, as Prometheus would: the README's first step writes it.
if promtool check config "$work/prometheus.yml" >/dev/null 2>&1; then
  echo "promtool accepted a config whose metrics-token file is missing" >&2
  exit 1
fi
printf 'ci-metrics-token-0123456789' > "$work/metrics-token"
promtool check config "$work/prometheus.yml"

echo "== promtool test rules deploy/prometheus/alerts.test.yml"
(cd deploy/prometheus && promtool test rules alerts.test.yml)

echo "== the Grafana dashboard's queries: each parses, and dashboard.test.yml evaluates them"
python3 - deploy/grafana/dashboards/merecharge-gateway.json "$work/dashboard-rules.yml" <<'PY'
import json, sys, yaml
dashboard = json.load(open(sys.argv[1]))
rules = [{"record": f"dashboard:panel_{panel['id']}_{target['refId']}".lower(), "expr": target["expr"]}
         for panel in dashboard["panels"] for target in panel.get("targets", [])]
yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}, open(sys.argv[2], "w"))
PY
cp deploy/prometheus/dashboard.test.yml "$work/"
promtool check rules "$work/dashboard-rules.yml"
(cd "$work" && promtool test rules dashboard.test.yml)

echo "== compose config on deploy/docker-compose.yml, the database password full of URL-special characters"
password='p@ss/w#rd?:%20&=+ $HOME ${X} '"'"'"\é'
rendered="$work/compose.yml"
env -i PATH="$PATH" HOME="$HOME" \
  POSTGRES_PASSWORD="$password" API_KEY=ci-admin-api-key-0123456789 METRICS_TOKEN=ci-metrics-token-0123456789 \
  PIN_HASH_KEY=ci-pin-hash-key-0123456789-0123456789 TOPUP_SOAP_URL=https://soap.example.invalid/queue \
  TOPUP_SOAP_USERNAME=ci-user TOPUP_SOAP_PASSWORD=ci-soap-password GRAFANA_ADMIN_PASSWORD=ci-grafana-password \
  CALLBOX_TOKEN=ci-callbox-token-0123456789 \
  "${compose[@]}" -f deploy/docker-compose.yml config > "$rendered"
PASSWORD="$password" python3 - "$rendered" <<'PY'
import os, sys, yaml
model = yaml.safe_load(open(sys.argv[1]))
services = model["services"]
unescape = lambda value: str(value).replace("$$", "$")
want = os.environ["PASSWORD"]
gateway = services["gateway"]["environment"]
problems = []
if unescape(gateway.get("DATABASE_PASSWORD")) != want:
    problems.append(f"gateway DATABASE_PASSWORD is {gateway.get('DATABASE_PASSWORD')!r}")
if unescape(services["postgres"]["environment"].get("POSTGRES_PASSWORD")) != want:
    problems.append("postgres POSTGRES_PASSWORD differs")
if "DATABASE_URL" in gateway:
    problems.append("the gateway gets a DATABASE_URL: the password would have to be encoded")
for name, service in services.items():
    if not service.get("restart"):
        problems.append(f"{name} has no restart policy")
if "METRICS_TOKEN" in (services["prometheus"].get("environment") or {}):
    problems.append("METRICS_TOKEN is in Prometheus's environment")
ports = [str(p.get("host_ip", "")) + ":" + str(p.get("published")) if isinstance(p, dict) else str(p) for p in services["prometheus"].get("ports", [])]
if not all(p.startswith("127.0.0.1:") for p in ports):
    problems.append(f"Prometheus is published beyond loopback: {ports}")
grace = str(services["gateway"].get("stop_grace_period", "10s"))
seconds = int(grace[:-1]) * (60 if grace.endswith("m") else 1) if grace[-1] in "sm" else 0
if seconds <= 45:
    problems.append(f"the gateway's stop_grace_period {grace} is not longer than a SOAP command (45 s)")
for volume in ("postgres-data", "prometheus-data", "grafana-data"):
    if volume not in (model.get("volumes") or {}):
        problems.append(f"no {volume} volume")
if problems:
    sys.exit("compose file: " + "; ".join(problems))
print(f"compose file: {len(services)} services; the gateway gets the {len(want)}-character password as it is; restart policies, volumes, loopback Prometheus, grace {grace}")
PY
