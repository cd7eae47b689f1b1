"""`make airflow`: the Airflow UI over what `make sync` left, as a data engineer runs it on a laptop.

`airflow standalone` with this project's dags/ and plugins/ (no examples), the demo's Airflow home, fixed
127.0.0.1 ports, connection testing on, a login that stays the same between starts, and both connections pointed
at the sandbox that `make sync ARGS=--serve` keeps serving.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

from timelines_zoho_sandbox.demo import ROOT, configure_airflow_home

API_PORT = 8080
USER = "admin"


def _secret_file(path: Path, make: Callable[[], str]) -> str:
    """Return the secret kept in `path`, created once (mode 0600), so logins survive a restart."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(make())
    return path.read_text().strip()


def environment(var: Path, zoho_url: str, port: int = API_PORT) -> dict[str, str]:
    """Return the settings `airflow standalone` runs with (the demo's home must be configured first)."""
    from timelines_zoho.hooks.datacentres import CUSTOM_ACCOUNTS_ENV

    home = Path(os.environ["AIRFLOW_HOME"])
    passwords = home / "passwords.json"
    _secret_file(passwords, lambda: json.dumps({USER: secrets.token_urlsafe(12)}))
    url = f"http://127.0.0.1:{port}"
    return {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",  # standalone runs `airflow`
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "4",  # 32 LocalExecutor workers by default
        "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{url}/execution/",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": url,
        "AIRFLOW__API__SECRET_KEY": _secret_file(home / "api_secret_key", lambda: secrets.token_urlsafe(32)),
        "AIRFLOW__API_AUTH__JWT_SECRET": _secret_file(home / "jwt_secret", lambda: secrets.token_urlsafe(64)),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        CUSTOM_ACCOUNTS_ENV: f"{zoho_url.rstrip('/')}/us/accounts",
    }


def main(argv: list[str] | None = None) -> int:
    """Point the connections at the serving sandbox and replace this process with `airflow standalone`."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--var", default=str(ROOT / "var"), help="the state `make sync` keeps (default ./var)")
    parser.add_argument("--port", type=int, default=API_PORT, help=f"the UI's port on 127.0.0.1 (default {API_PORT})")
    args = parser.parse_args(argv)
    var = Path(args.var).resolve()
    configure_airflow_home(var)

    from timelines_zoho_sandbox import sandbox_wiring, serving
    from timelines_zoho_sandbox.timelinesai.admin import TimelinesAISandboxAdmin
    from timelines_zoho_sandbox.zoho.admin import ZohoSandboxAdmin

    served = serving.running(var / "sandbox")
    if served is None:
        print(f"make airflow: no sandbox is serving {var / 'sandbox'}. Run `make sync ARGS=--serve` in another "
              "terminal first (it syncs the demo's days and keeps the emulators up), then `make airflow`.",
              file=sys.stderr)
        return 1
    os.environ.update(environment(var, served.zoho_url, args.port))
    from airflow.utils import db

    db.initdb()
    sandbox_wiring.store_connections(TimelinesAISandboxAdmin(served.timelines_root), ZohoSandboxAdmin(served.zoho_url))
    sandbox_wiring.ensure_pool()
    password = json.loads(Path(os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]).read_text())[USER]
    print(f"Airflow UI: {os.environ['AIRFLOW__API__BASE_URL']}  login {USER} / {password}\n"
          f"Connections point at the sandbox ({served.timelines_root}, {served.zoho_url}); Ctrl-C stops Airflow.",
          flush=True)
    os.execvp("airflow", ["airflow", "standalone"])


if __name__ == "__main__":
    sys.exit(main())
