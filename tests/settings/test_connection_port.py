"""Saved connections carry the port of the service they point at: Airflow 3.3.2's UI sends `port: 0` for a
connection without one, and the API then refuses the Test button with a 400."""

from __future__ import annotations

import pytest

from timelines_zoho.settings import connections


def _stored_port(conn_id: str) -> int | None:
    from airflow.models.connection import Connection
    from airflow.utils.session import create_session

    with create_session() as session:
        return session.query(Connection).filter(Connection.conn_id == conn_id).one().port


@pytest.mark.parametrize(("host", "extra", "port"), [
    ("http://127.0.0.1:8701/integrations/api", None, 8701),
    ("https://app.timelines.ai/integrations/api", None, 443),
    (None, {"accounts_url": "http://127.0.0.1:8702/us/accounts"}, 8702),
    (None, {"data_centre": "eu"}, 443),
])
def test_a_saved_connection_stores_its_services_port(host, extra, port, request) -> None:
    conn_id = f"port_check_{request.node.callspec.id}"
    connections.upsert(conn_id, "zoho_crm", host=host, extra=extra)
    assert _stored_port(conn_id) == port


def test_the_port_follows_a_changed_host() -> None:
    connections.upsert("port_moves", "timelines_ai", host="http://127.0.0.1:8701/integrations/api")
    connections.upsert("port_moves", "timelines_ai", host="https://app.timelines.ai/integrations/api")
    assert _stored_port("port_moves") == 443


def test_a_copied_connection_keeps_the_port() -> None:
    connections.upsert("port_source", "timelines_ai", host="http://127.0.0.1:8701/integrations/api")
    connections.copy("port_source", "port_target")
    assert _stored_port("port_target") == 8701
