"""docker-compose.yaml, Dockerfile and .env.example: valid for Compose, and the invariants the stack relies on."""

from __future__ import annotations

import pathlib
import re
import shutil
import subprocess
from typing import Any

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yaml"
ENV_EXAMPLE = ROOT / ".env.example"
AIRFLOW_SERVICES = (
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-worker",
    "airflow-triggerer",
    "airflow-init",
)
LONG_RUNNING = ("postgres", "redis", *AIRFLOW_SERVICES[:-1], "sandbox", "webhook-receiver")
SHARED_KEYS = (
    "AIRFLOW__CORE__EXECUTOR",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    "AIRFLOW__CELERY__BROKER_URL",
    "AIRFLOW__CELERY__RESULT_BACKEND",
    "AIRFLOW__CORE__FERNET_KEY",
    "AIRFLOW__API_AUTH__JWT_SECRET",
    "AIRFLOW__API__SECRET_KEY",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
    "AIRFLOW__CORE__LOAD_EXAMPLES",
    "TIMELINES_ZOHO_STATE_URL",
    "TIMELINES_ZOHO_STAGING_URL",
    "TIMELINES_ZOHO_STAGING_CONN_ID",
    "TIMELINES_ZOHO_WEBHOOK_URL",
)
VENDOR_SECRETS = ("TIMELINES_AI_TOKEN", "ZOHO_CLIENT_SECRET", "ZOHO_REFRESH_TOKEN", "ZOHO_GRANT_CODE")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


def _env_example() -> dict[str, str]:
    lines = [line for line in ENV_EXAMPLE.read_text().splitlines() if line and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def test_compose_client_renders_the_file_with_the_example_env(tmp_path: pathlib.Path) -> None:
    client = shutil.which("docker-compose")
    if client is None:
        pytest.skip("docker-compose is not installed (.ci/services installs Debian's)")
    done = subprocess.run(
        [client, "--env-file", str(ENV_EXAMPLE), "-f", str(COMPOSE), "--profile", "sandbox", "config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    rendered = yaml.safe_load(done.stdout)["services"]
    assert set(rendered) == {"postgres", "redis", "sandbox", "webhook-receiver", *AIRFLOW_SERVICES}
    # The secret reached every Airflow service, interpolated from the env file.
    secret = _env_example()["AIRFLOW_JWT_SECRET"]
    assert {rendered[name]["environment"]["AIRFLOW__API_AUTH__JWT_SECRET"] for name in AIRFLOW_SERVICES} == {
        secret
    }


def test_every_variable_is_documented_in_env_example_and_every_documented_one_is_used() -> None:
    used = set(re.findall(r"(?<!\$)\$\{([A-Z0-9_]+)", COMPOSE.read_text()))
    documented = set(_env_example())
    assert used - documented == set(), "used in docker-compose.yaml but missing from .env.example"
    assert documented - used == set(), "documented in .env.example but unused"
    text = ENV_EXAMPLE.read_text()
    for name in documented:
        # Each variable sits in a paragraph that has a comment explaining it.
        paragraph = text[: text.index(f"\n{name}=")].rsplit("\n\n", 1)[-1]
        assert any(line.startswith("# ") for line in paragraph.splitlines()), name


def test_airflow_services_share_the_same_environment(services: dict[str, Any]) -> None:
    envs = {name: services[name]["environment"] for name in AIRFLOW_SERVICES}
    for key in SHARED_KEYS:
        values = {env.get(key) for env in envs.values()}
        assert len(values) == 1 and None not in values, (key, values)
    env = envs["airflow-worker"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"] == "${AIRFLOW_JWT_SECRET}"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql+psycopg2://")
    assert env["TIMELINES_ZOHO_STATE_URL"].endswith("@postgres/timelines_zoho")
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].endswith("@postgres/airflow")


def test_vendor_secrets_reach_only_the_init_service(services: dict[str, Any]) -> None:
    for name, service in services.items():
        env = service.get("environment") or {}
        leaked = [key for key in VENDOR_SECRETS if key in env]
        assert leaked == ([] if name != "airflow-init" else list(VENDOR_SECRETS)), (name, leaked)


def test_long_running_services_have_health_checks_and_restart(services: dict[str, Any]) -> None:
    for name in LONG_RUNNING:
        assert services[name]["healthcheck"]["test"], name
        assert services[name]["restart"] == "always", name
    assert "restart" not in services["airflow-init"]


def test_start_order_waits_for_healthy_dependencies_and_a_finished_init(services: dict[str, Any]) -> None:
    for name in AIRFLOW_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
        if name != "airflow-init":
            assert depends["airflow-init"]["condition"] == "service_completed_successfully", name
    assert services["airflow-worker"]["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy"


def test_worker_runs_celery_and_can_be_scaled(services: dict[str, Any]) -> None:
    worker = services["airflow-worker"]
    assert worker["command"] == "celery worker"
    assert worker["environment"]["DUMB_INIT_SETSID"] == "0"
    # A fixed container name or host port would make `--scale airflow-worker=N` fail.
    assert "container_name" not in worker and "ports" not in worker


def test_code_and_state_volumes(compose: dict[str, Any], services: dict[str, Any]) -> None:
    for name in AIRFLOW_SERVICES:
        targets = {volume.split(":")[1] for volume in services[name]["volumes"]}
        assert {
            "/opt/airflow/dags",
            "/opt/airflow/plugins",
            "/opt/airflow/include/timelines_zoho",
            "/opt/airflow/logs",
        } <= targets
        assert "/opt/airflow/include" not in targets  # the emulators' code is not mounted on Airflow services
    assert {"postgres-db-volume", "airflow-logs", "airflow-auth"} <= set(compose["volumes"])
    init_sql = next(v for v in services["postgres"]["volumes"] if "docker-entrypoint-initdb.d" in v)
    source = ROOT / init_sql.split(":")[0]
    assert "CREATE DATABASE timelines_zoho" in source.read_text()


def test_image_is_built_from_requirements_not_installed_at_start(services: dict[str, Any]) -> None:
    assert "_PIP_ADDITIONAL_REQUIREMENTS" not in COMPOSE.read_text()
    assert services["airflow-worker"]["build"] == {"context": ".", "target": "product"}
    assert services["sandbox"]["build"] == {"context": ".", "target": "sandbox"}
    assert services["sandbox"]["image"] != services["airflow-worker"]["image"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM apache/airflow:3\.3\.2-python3\.11 AS product$", dockerfile, re.MULTILINE)
    assert "pip install --no-cache-dir -r /opt/airflow/requirements.txt" in dockerfile
    requirements = (ROOT / "requirements.txt").read_text().splitlines()
    assert "apache-airflow==3.3.2" in requirements and "-e ./include" in requirements
    assert any(line.startswith("apache-airflow-providers-celery==") for line in requirements)
    # .dockerignore keeps the 500 MB virtualenv out of the build context.
    assert ".venv" in (ROOT / ".dockerignore").read_text().splitlines()


def test_init_service_runs_the_shared_init_script(services: dict[str, Any]) -> None:
    init = services["airflow-init"]
    assert init["command"] == "/opt/airflow/docker/airflow-init.sh"
    script = (ROOT / "docker" / "airflow-init.sh").read_text()
    for step in (
        "airflow db migrate",
        "StateStore().migrate()",
        "airflow pools set zoho_api",
        "connections import",
    ):
        assert step in script, step
    assert init["environment"]["ZOHO_POOL_SLOTS"] == "${ZOHO_POOL_SLOTS:-5}"


def test_sandbox_profile_is_optional(services: dict[str, Any]) -> None:
    assert services["sandbox"]["profiles"] == ["sandbox"]
    assert all("profiles" not in services[name] for name in services if name != "sandbox")
    env = _env_example()
    assert env["TIMELINES_AI_URL"].startswith("http://sandbox:8701/")
    assert env["ZOHO_API_DOMAIN"].startswith("http://sandbox:8702/")


def test_webhook_receiver_gets_the_state_store_and_no_airflow_secret(services: dict[str, Any]) -> None:
    receiver = services["webhook-receiver"]
    assert set(receiver["environment"]) == {"TIMELINES_ZOHO_STATE_URL"}
    assert receiver["environment"]["TIMELINES_ZOHO_STATE_URL"].endswith("@postgres/timelines_zoho")
    assert "timelines_zoho.webhooks serve" in " ".join(receiver["command"])
    assert receiver["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"


def test_every_airflow_service_reaches_the_same_staging_store(compose: dict[str, Any], services: dict[str, Any]) -> None:
    # Extract, transform and the loads of one run may run on different workers (and the scheduler and API server
    # clean up failed runs): a staging folder under each container's own home would hide one task's output.
    url = services["airflow-worker"]["environment"]["TIMELINES_ZOHO_STAGING_URL"]
    default = re.fullmatch(r"\$\{TIMELINES_ZOHO_STAGING_URL:-(.+)\}", url)
    assert default, url
    assert _env_example()["TIMELINES_ZOHO_STAGING_URL"] == default.group(1)
    folder = default.group(1).removeprefix("file://")
    assert default.group(1).startswith("file:///") and not folder.startswith("/opt/airflow/logs")
    for name in AIRFLOW_SERVICES:
        mounts = dict(volume.split(":")[:2][::-1] for volume in services[name]["volumes"])
        assert mounts.get(folder) == "airflow-staging", (name, "must mount the shared staging volume", mounts)
    assert "airflow-staging" in compose["volumes"], "a named volume: one for all containers, not one each"
