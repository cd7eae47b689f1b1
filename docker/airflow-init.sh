#!/usr/bin/env bash
# One-shot setup, shared by the compose `airflow-init` service and the native topology test: migrate Airflow's
# metadata database and the sync's state database, size the `zoho_api` pool, load the two connections from the
# environment, and set the admin password. Safe to re-run: an upgrade is `docker compose run airflow-init`.
set -euo pipefail

echo "airflow-init: migrating the Airflow metadata database"
airflow db migrate

echo "airflow-init: migrating the state database"
python -c "from timelines_zoho.state import StateStore; StateStore().migrate()"

echo "airflow-init: pool zoho_api = ${ZOHO_POOL_SLOTS:-5} slots"
airflow pools set zoho_api "${ZOHO_POOL_SLOTS:-5}" "Concurrent Zoho CRM API calls (the Zoho edition's limit)" >/dev/null

# Connections given in the environment; `connections import` skips an id that exists, so tokens stored later by
# "Connect Zoho CRM" survive a re-run. The file lives only for the import, readable by this user alone.
connections_file=$(mktemp --suffix .json)
trap 'rm -f "$connections_file"' EXIT
python - "$connections_file" <<'PY'
import json, os, sys
connections = {}
if os.environ.get("TIMELINES_AI_TOKEN"):
    connections["timelines_ai_default"] = {
        "conn_type": "timelines_ai",
        "host": os.environ.get("TIMELINES_AI_URL") or "https://app.timelines.ai/integrations/api",
        "password": os.environ["TIMELINES_AI_TOKEN"],
    }
if os.environ.get("ZOHO_CLIENT_ID"):
    extra = {"data_centre": os.environ.get("ZOHO_DATA_CENTRE") or "us"}
    for key in ("refresh_token", "grant_code", "accounts_url", "api_domain"):
        if os.environ.get(f"ZOHO_{key.upper()}"):
            extra[key] = os.environ[f"ZOHO_{key.upper()}"]
    connections["zoho_crm_default"] = {
        "conn_type": "zoho_crm",
        "login": os.environ["ZOHO_CLIENT_ID"],
        "password": os.environ.get("ZOHO_CLIENT_SECRET", ""),
        "extra": json.dumps(extra),
    }
with open(sys.argv[1], "w") as out:
    json.dump(connections, out)
print("airflow-init: connections from the environment:", ", ".join(connections) or "none")
PY
airflow connections import "$connections_file" | sed 's/^/airflow-init: /'

if [[ -n "${AIRFLOW_ADMIN_PASSWORD:-}" && -n "${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE:-}" ]]; then
  python - <<'PY'
import json, os, pathlib
path = pathlib.Path(os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
path.parent.mkdir(parents=True, exist_ok=True)
path.write_text(json.dumps({"admin": os.environ["AIRFLOW_ADMIN_PASSWORD"]}))
path.chmod(0o600)
PY
  echo "airflow-init: admin password written"
fi
echo "airflow-init: done"
