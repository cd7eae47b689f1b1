from __future__ import annotations

from timelines_zoho.state import StateStore


def test_a_plain_postgresql_url_uses_the_installed_psycopg2_driver() -> None:
    # Users write `postgresql://...`; SQLAlchemy 2.1 alone would look for psycopg 3, which is not installed.
    store = StateStore("postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        assert store.engine.dialect.driver == "psycopg2"
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("select 1").scalar() == 1
    finally:
        store.dispose()
