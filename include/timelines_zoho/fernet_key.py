"""The sandbox demo's own Fernet key, so its Airflow home never stores connections or tokens in clear.

Imported before Airflow (it must not import it): Airflow reads `AIRFLOW__CORE__FERNET_KEY` when it loads.
"""

from __future__ import annotations

import os
from pathlib import Path

KEY_FILE = "fernet.key"


def ensure_sandbox_fernet_key(airflow_home: Path) -> None:
    """Use `$AIRFLOW_HOME/fernet.key` (created once, mode 0600) unless a Fernet key is configured already."""
    if os.environ.get("AIRFLOW__CORE__FERNET_KEY"):
        return
    from cryptography.fernet import Fernet

    path = airflow_home / KEY_FILE
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(Fernet.generate_key())
    os.environ["AIRFLOW__CORE__FERNET_KEY"] = path.read_text().strip()
