"""Read and write the Airflow connections the integration owns (metadata DB; API server, CLI and tests only)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from airflow.models.connection import Connection
from airflow.utils.session import create_session

from timelines_zoho.provider import form_fields


def get_extra(conn_id: str) -> dict[str, Any] | None:
    """Return the connection's extras, or None when the connection does not exist."""
    with create_session() as session:
        conn = session.query(Connection).filter(Connection.conn_id == conn_id).one_or_none()
        return None if conn is None else dict(conn.extra_dejson)


def get_fields(conn_id: str) -> dict[str, Any] | None:
    """Return host, login and extras (never the password), or None when missing."""
    with create_session() as session:
        conn = session.query(Connection).filter(Connection.conn_id == conn_id).one_or_none()
        if conn is None:
            return None
        return {"host": conn.host, "login": conn.login, "has_password": bool(conn.password), "extra": conn.extra_dejson}


def endpoint_port(conn: Connection) -> int:
    """Return the port of the service a connection points at (its host, else its accounts URL; else 443).

    The hooks read URLs, not the port field. It is stored because Airflow 3.3.2's UI sends `port: 0` for a
    connection without one and the API then refuses the Test button (400, "differs from the stored connection").
    """
    extra = conn.extra_dejson if conn.extra else {}
    for url in (conn.host, extra.get("accounts_url")):
        parts = urlsplit(url or "")
        if parts.hostname:
            return parts.port or (80 if parts.scheme == "http" else 443)
    return 443


def upsert(
    conn_id: str,
    conn_type: str,
    *,
    host: str | None = None,
    login: str | None = None,
    password: str | None = None,
    extra: dict[str, Any] | None = None,
    drop_extra: tuple[str, ...] = (),
) -> None:
    """Create or update a connection; given fields replace, extras merge, `drop_extra` keys are removed."""
    with create_session() as session:
        conn = session.query(Connection).filter(Connection.conn_id == conn_id).one_or_none()
        if conn is None:
            conn = Connection(conn_id=conn_id, conn_type=conn_type)
            session.add(conn)
        merged = dict(conn.extra_dejson) if conn.extra else {}
        merged.update(extra or {})
        for key in drop_extra:
            merged.pop(key, None)
        for key in form_fields(conn_type):
            # Airflow 3.3's Edit form shows only the extra fields the stored JSON names: keep each (null when unset)
            # so that, e.g., the one-time grant code field is still there to paste a new code into.
            merged.setdefault(key, None)
        conn.conn_type = conn_type
        if host is not None:
            conn.host = host
        if login is not None:
            conn.login = login
        if password is not None:
            conn.password = password
        conn.extra = json.dumps(merged) if merged else None
        conn.port = endpoint_port(conn)


def copy(source_id: str, target_id: str) -> None:
    """Copy every field of `source_id` onto `target_id` (created when missing)."""
    with create_session() as session:
        src = session.query(Connection).filter(Connection.conn_id == source_id).one()
        dst = session.query(Connection).filter(Connection.conn_id == target_id).one_or_none()
        if dst is None:
            dst = Connection(conn_id=target_id, conn_type=src.conn_type)
            session.add(dst)
        dst.conn_type, dst.host, dst.login = src.conn_type, src.host, src.login
        dst.password, dst.extra, dst.port = src.password, src.extra, src.port


def delete(conn_id: str) -> None:
    """Remove a connection if it exists."""
    with create_session() as session:
        session.query(Connection).filter(Connection.conn_id == conn_id).delete()
