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

# Add a connection only when it is missing: tokens stored later by "Connect Zoho CRM" must survive a re-run.
add_connection() {
  local conn_id=$1 json=$2
  if airflow connections get "$conn_id" >/dev/null 2>&1; then
    echo "airflow-init: connection $conn_id exists, kept"
  else
    airflow connections add "$conn_id" --conn-json "$json" >/dev/null
    echo "airflow-init: connection $conn_id added"
  fi
}

if [[ -n "${TIMELINES_AI_TOKEN:-}" ]]; then
  add_connection timelines_ai_default "$(python - <<'PY'
import json, os
print(json.dumps({
    "conn_type": "timelines_ai",
    "host": os.environ.get("TIMELINES_AI_URL") or "https://app.timelines.ai/integrations/api",
    "password": os.environ["TIMELINES_AI_TOKEN"],
}))
PY
)"
else
  echo "airflow-init: TIMELINES_AI_TOKEN is empty, timelines_ai_default not added"
fi

if [[ -n "${ZOHO_CLIENT_ID:-}" ]]; then
  add_connection zoho_crm_default "$(python - <<'PY'
import json, os
extra = {"data_centre": os.environ.get("ZOHO_DATA_CENTRE") or "us"}
for key in ("refresh_token", "grant_code", "accounts_url", "api_domain"):
    if os.environ.get(f"ZOHO_{key.upper()}"):
        extra[key] = os.environ[f"ZOHO_{key.upper()}"]
print(json.dumps({
    "conn_type": "zoho_crm",
    "login": os.environ["ZOHO_CLIENT_ID"],
    "password": os.environ.get("ZOHO_CLIENT_SECRET", ""),
    "extra": extra,
}))
PY
)"
else
  echo "airflow-init: ZOHO_CLIENT_ID is empty, zoho_crm_default not added"
fi

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
