"""The docker-compose topology, natively: Airflow processes on this machine's PostgreSQL and Redis."""

from __future__ import annotations

import json
import os
import pathlib
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field

import psycopg2
import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent
PG_ADMIN_DSN = os.environ.get("TOPOLOGY_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TOPOLOGY_REDIS_URL", "redis://127.0.0.1:6379/13")
WORKERS = ("worker-a", "worker-b")
THREE_WORKERS = (*WORKERS, "worker-c")
# The callable Airflow asks for a hostname: each process reports the name the harness gave it, so the
# metadata DB shows which Celery worker ran a task even though all of them share this machine.
HOSTNAME_MODULE = 'import os\n\n\ndef hostname():\n    return os.environ.get("TOPOLOGY_HOSTNAME", "cli")\n'


def free_port() -> int:
    """Return a TCP port that was free a moment ago (the processes we start bind it themselves)."""
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_url(database: str, driver: str = "postgresql+psycopg2") -> str:
    """Return an SQLAlchemy URL for `database` on the same server as the admin DSN."""
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].split("://", 1)[1]
    return f"{driver}://{base}/{database}"


def _admin_sql(statement: str) -> None:
    conn = psycopg2.connect(PG_ADMIN_DSN)
    conn.autocommit = True  # CREATE/DROP DATABASE cannot run inside a transaction
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


@contextmanager
def fresh_databases(*names: str) -> Iterator[None]:
    """Create empty PostgreSQL databases and drop them afterwards, even on failure."""
    for name in names:
        _admin_sql(f'CREATE DATABASE "{name}"')
    try:
        yield
    finally:
        for name in names:
            _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(database: str, sql: str, params: tuple = ()) -> list[tuple]:
    """Run one read query against `database` and return all rows."""
    conn = psycopg2.connect(pg_url(database, "postgresql"))
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        conn.close()


def wait_for(what: str, check: Callable[[], object], timeout: float, on_timeout: Callable[[], str]) -> object:
    """Poll `check` until it returns something truthy; fail with `on_timeout()` (the logs) otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}\n{on_timeout()}")


@dataclass
class Topology:
    """Everything one harness run owns: databases, AIRFLOW_HOME, env, and the process groups it started."""

    home: pathlib.Path
    dags_folder: pathlib.Path
    meta_db: str
    state_db: str
    queue: str
    api_port: int
    env: dict[str, str]
    workers: tuple[str, ...] = WORKERS
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def airflow(self, *args: str, timeout: float = 120, env: dict[str, str] | None = None) -> str:
        """Run one `airflow` CLI command with the topology's env and return its stdout; fail with its output."""
        done = subprocess.run(
            [str(BIN / "airflow"), *args],
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, (
            f"airflow {' '.join(args)} exited {done.returncode}:\n{done.stderr[-4000:]}"
        )
        return done.stdout

    def run_init(self, extra_env: dict[str, str] | None = None) -> str:
        """Run docker/airflow-init.sh, the compose init service's script, natively; return its output."""
        done = subprocess.run(
            ["bash", str(ROOT / "docker" / "airflow-init.sh")],
            env={**self.env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, (
            f"airflow-init.sh exited {done.returncode}:\n{done.stdout}\n{done.stderr[-4000:]}"
        )
        return done.stdout

    def start(self, name: str, argv: list[str], extra_env: dict[str, str] | None = None) -> None:
        """Start a long-running process in its own session (so its whole group can be stopped), logging to a file."""
        log = open(self.home / f"{name}.log", "ab")  # noqa: SIM115 - handed over to the child process
        env = {**self.env, "TOPOLOGY_HOSTNAME": name, **(extra_env or {})}
        self.processes[name] = subprocess.Popen(
            argv,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()

    def stop(self) -> None:
        """Stop every process group: SIGTERM, then SIGKILL what is left after a grace period."""
        for proc in self.processes.values():
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for proc in self.processes.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            # Children (task runners, gunicorn/uvicorn workers) may outlive the leader; the group goes too.
            _signal_group(proc, signal.SIGKILL)
            proc.wait(timeout=10)

    def logs(self, tail: int = 3000) -> str:
        """Return the end of every process log, for failure messages."""
        parts = []
        for name in self.processes:
            text = (self.home / f"{name}.log").read_text(errors="replace")
            parts.append(f"----- {name} (exit {self.processes[name].poll()}) -----\n{text[-tail:]}")
        return "\n".join(parts)

    def assert_alive(self) -> None:
        """Fail fast, with the logs, when a long-running process has died."""
        dead = [name for name, proc in self.processes.items() if proc.poll() is not None]
        assert not dead, f"processes exited early: {dead}\n{self.logs()}"

    def wait_healthy(self, timeout: float = 180) -> None:
        """Wait until the API server reports the metadatabase, scheduler and dag processor healthy."""

        def healthy() -> bool:
            self.assert_alive()
            try:
                body = requests.get(f"{self.api_url}/api/v2/monitor/health", timeout=5).json()
            except (requests.RequestException, ValueError):
                return False
            parts = ("metadatabase", "scheduler", "dag_processor")
            return all(body.get(part, {}).get("status") == "healthy" for part in parts)

        wait_for("a healthy api-server, scheduler and dag-processor", healthy, timeout, self.logs)

    def wait_workers(self, timeout: float = 120) -> None:
        """Wait until every Celery worker answers a ping on the topology's broker."""

        def answered() -> bool:
            self.assert_alive()
            done = subprocess.run(
                [
                    str(BIN / "celery"),
                    "--broker",
                    self.env["AIRFLOW__CELERY__BROKER_URL"],
                    "inspect",
                    "ping",
                    "--timeout",
                    "3",
                    "--json",
                ],
                env=self.env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            replies = json.loads(done.stdout or "{}") if done.returncode == 0 else {}
            names = {name.split("@", 1)[0] for name in replies}
            return set(self.workers) <= names

        wait_for("every Celery worker to answer a ping", answered, timeout, self.logs)

    def wait_dag(self, dag_id: str, timeout: float = 180) -> None:
        """Wait until the dag processor has serialized `dag_id`, failing early on an import error."""

        def parsed() -> bool:
            self.assert_alive()
            errors = query(self.meta_db, "SELECT filename, stacktrace FROM import_error")
            assert not errors, f"DAG import errors: {errors}"
            return bool(query(self.meta_db, "SELECT 1 FROM serialized_dag WHERE dag_id = %s", (dag_id,)))

        wait_for(f"DAG {dag_id} to be parsed", parsed, timeout, self.logs)

    def wait_runs(
        self, dag_id: str, expected: int, prefix: str = "backfill__", timeout: float = 420
    ) -> list[tuple]:
        """Wait until `dag_id` has `expected` finished runs whose id starts with `prefix`; return (run_id, state)."""

        def finished() -> list[tuple] | None:
            self.assert_alive()
            runs = query(
                self.meta_db,
                "SELECT run_id, state FROM dag_run WHERE dag_id = %s AND run_id LIKE %s ORDER BY run_id",
                (dag_id, f"{prefix}%"),
            )
            done = [run for run in runs if run[1] in ("success", "failed")]
            return runs if len(done) >= expected and len(done) == len(runs) else None

        return wait_for(f"{expected} finished {prefix} runs of {dag_id}", finished, timeout, self.logs)

    def backfill(self, dag_id: str, start: str, end: str, *options: str, timeout: float = 480) -> list[tuple]:
        """Create a backfill through the CLI, wait for the scheduler to complete it, and return its runs' states."""
        self.airflow(
            "backfill", "create", "--dag-id", dag_id, "--from-date", start, "--to-date", end, *options
        )
        backfill_id = query(self.meta_db, "SELECT max(id) FROM backfill WHERE dag_id = %s", (dag_id,))[0][0]

        def completed() -> bool:
            self.assert_alive()
            return bool(
                query(self.meta_db, "SELECT completed_at FROM backfill WHERE id = %s", (backfill_id,))[0][0]
            )

        wait_for(f"backfill {backfill_id} of {dag_id}", completed, timeout, self.logs)
        return query(
            self.meta_db,
            "SELECT dr.run_id, dr.state FROM backfill_dag_run b JOIN dag_run dr ON dr.id = b.dag_run_id"
            " WHERE b.backfill_id = %s ORDER BY dr.run_id",
            (backfill_id,),
        )

    def task_hosts(self, dag_id: str, prefix: str = "backfill__") -> dict[str, int]:
        """Count successful task instances of `dag_id`'s `prefix` runs by the hostname that ran them."""
        rows = query(
            self.meta_db,
            "SELECT hostname, count(*) FROM task_instance WHERE dag_id = %s AND run_id LIKE %s AND state = 'success'"
            " GROUP BY hostname",
            (dag_id, f"{prefix}%"),
        )
        return dict(rows)


def own_home(private: pathlib.Path, home: pathlib.Path) -> list[str]:
    """Return the argv prefix that gives a process `private` as its `home`, seen by no other worker.

    Containers give every worker the same path (/opt/airflow) with contents of its own; an absolute path one worker
    wrote there means nothing to the next. Natively, a private mount namespace per worker binds its own folder
    over the one shared path, so a file left under a worker's home is invisible to the others, as in Compose.
    """
    script = 'mount --bind "$0" "$1" && shift && exec "$@"'  # $0 is not shifted
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, str(private), str(home)]


def _signal_group(proc: subprocess.Popen, sig: signal.Signals) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def base_env(
    home: pathlib.Path, dags_folder: pathlib.Path, meta_db: str, state_db: str, queue: str, api_port: int
) -> dict[str, str]:
    """Build the env every process shares, from scratch: the pytest process's own Airflow settings stay out."""
    inherited = {
        key: value for key, value in os.environ.items() if not key.startswith(("AIRFLOW", "TIMELINES_ZOHO"))
    }
    pylib = home / "pylib"
    return {
        **inherited,
        "PATH": f"{BIN}{os.pathsep}{inherited.get('PATH', '')}",
        "PYTHONPATH": str(pylib),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CORE__PARALLELISM": "8",
        "AIRFLOW__CORE__FERNET_KEY": "qlKw2oCMbd0TZ1xTJ3nZzuT9a2o0b4bQoQ-6f0ILh7M=",
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "topology_hostname.hostname",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": pg_url(meta_db),
        "AIRFLOW__CELERY__BROKER_URL": REDIS_URL,
        "AIRFLOW__CELERY__RESULT_BACKEND": pg_url(meta_db, "db+postgresql+psycopg2"),
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
        # A queue of our own: other harness runs on the same Redis database never take our tasks.
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
        "TIMELINES_ZOHO_STATE_URL": pg_url(state_db),
    }


@contextmanager
def running_topology(
    tmp: pathlib.Path,
    dags_folder: pathlib.Path,
    extra_env: dict[str, str] | None = None,
    prepare: Callable[[Topology], None] | None = None,
    workers: tuple[str, ...] = WORKERS,
) -> Iterator[Topology]:
    """Set up fresh databases, start api-server, scheduler, dag-processor and the Celery workers; stop them after.

    `prepare` runs before the Airflow processes start (after the sandbox, if any, is its job) and must run the init
    script; without it the init script runs with no vendor connections. Each worker has an AIRFLOW_HOME of its
    own, as separate containers or machines would: what workers share is only what the env names (the databases,
    the broker, the staging URL), never a folder by accident.
    """
    suffix = uuid.uuid4().hex[:10]
    meta_db, state_db, queue = f"topo_meta_{suffix}", f"topo_state_{suffix}", f"topology-{suffix}"
    home = tmp / "airflow-home"
    (home / "pylib").mkdir(parents=True)
    (home / "pylib" / "topology_hostname.py").write_text(HOSTNAME_MODULE)
    api_port = free_port()
    env = {**base_env(home, dags_folder, meta_db, state_db, queue, api_port), **(extra_env or {})}
    with fresh_databases(meta_db, state_db):
        topo = Topology(home, dags_folder, meta_db, state_db, queue, api_port, env, workers)
        try:
            if prepare is None:
                topo.run_init()
            else:
                prepare(topo)
            airflow = str(BIN / "airflow")
            topo.start("api-server", [airflow, "api-server", "--workers", "1"])
            topo.start("scheduler", [airflow, "scheduler"])
            topo.start("dag-processor", [airflow, "dag-processor"])
            (tmp / "worker-home").mkdir()
            for name in workers:
                (tmp / f"{name}-home").mkdir()
                topo.start(
                    name,
                    [
                        *own_home(tmp / f"{name}-home", tmp / "worker-home"),
                        airflow,
                        "celery",
                        "worker",
                        "--celery-hostname",
                        f"{name}@%h",
                        "--queues",
                        queue,
                        "--without-gossip",
                        "--without-mingle",
                    ],
                    # Each worker serves its task logs on its own port, as separate containers would.
                    {"AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()), "AIRFLOW_HOME": str(tmp / "worker-home")},
                )
            topo.wait_healthy()
            topo.wait_workers()
            yield topo
        finally:
            topo.stop()
