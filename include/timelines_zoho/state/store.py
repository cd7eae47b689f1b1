"""The state store: the only code that knows SQL (settings, audit, OAuth states, runs; sync ledgers in mixins)."""

from __future__ import annotations

import json
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, delete, event, func, insert, make_url, select, update
from sqlalchemy.orm import Session, sessionmaker

from timelines_zoho.state.inbox import InboxMixin
from timelines_zoho.state.inbox_watch import InboxWatchMixin
from timelines_zoho.state.ledgers import LedgerMixin
from timelines_zoho.state.models import AuditRow, OAuthStateRow, RunItemRow, RunRow, SettingsRow
from timelines_zoho.state.sync_index import IndexMixin
from timelines_zoho.state.times import as_utc, utcnow

# Airflow names an asset-triggered run `asset_triggered__…`: the event-driven DAG's runs, each of a few chats.
EVENT_RUN_PREFIX = "asset_triggered__"

OAUTH_STATE_TTL = timedelta(minutes=10)


@dataclass
class IntegrationSettings:
    """The integration's settings and whether they are active."""

    module: str | None = None
    phone_field: str | None = None
    name_field: str | None = None
    chat_link_field: str | None = None
    lead_source_field: str | None = None
    timezone: str | None = None
    active: bool = False
    activated_at: datetime | None = None
    activated_by: str | None = None
    test_record_id: str | None = None
    # A WhatsApp rename renames the record; with this on, a name edited in Zoho since our last write is kept.
    keep_zoho_names: bool = False


@dataclass
class AuditEntry:
    """One audited action."""

    at: datetime
    actor: str
    action: str
    detail: str


@dataclass
class RunRecord:
    """One sync run as recorded."""

    id: int
    run_key: str
    window_start: datetime
    window_end: datetime
    status: str
    started_at: datetime
    finished_at: datetime | None
    summary: dict[str, Any] | None


def default_url() -> str:
    """Return `TIMELINES_ZOHO_STATE_URL`, else a SQLite file in `$AIRFLOW_HOME`."""
    url = os.environ.get("TIMELINES_ZOHO_STATE_URL")
    if url:
        return url
    home = Path(os.environ.get("AIRFLOW_HOME", Path.home() / "airflow"))
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{home / 'timelines_zoho_state.db'}"


def _make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        parsed = make_url(url)
        # SQLAlchemy 2.1 reads a bare `postgresql://` as psycopg 3; psycopg2 is the driver this project installs.
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg2")
        return create_engine(parsed, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        # WAL lets readers go on while a writer commits; foreign keys are off by default in SQLite.
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL, not NORMAL: a commit lost to a power cut could drop a pending ledger entry or claim for a write Zoho
        # made (a duplicate later). Batched transactions make the fsync per commit cheap enough.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    return engine


class StateStore(LedgerMixin, IndexMixin, InboxMixin, InboxWatchMixin):
    """What the integration knows and has written, in SQLite (default) or PostgreSQL (by URL)."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        self.engine = _make_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._open = threading.local()  # the calling thread's batch session, if any

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Open a session whose work commits as one transaction, or rolls back on error (inside `batch`: its own)."""
        current = getattr(self._open, "session", None)
        if current is not None:
            yield current
            return
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Make the store calls made in this block, by this thread, one transaction (one per Zoho batch)."""
        if getattr(self._open, "session", None) is not None:
            yield
            return
        with self._sessions.begin() as session:
            self._open.session = session
            try:
                yield
            finally:
                self._open.session = None

    def migrate(self) -> None:
        """Apply the Alembic migrations shipped in this package."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def dispose(self) -> None:
        """Close the pooled connections."""
        self.engine.dispose()

    # -- settings ---------------------------------------------------------------------------------------

    def get_settings(self) -> IntegrationSettings | None:
        """Return the saved settings, or None when nothing was saved."""
        with self.session() as session:
            row = session.get(SettingsRow, 1)
            if row is None:
                return None
            values = {f.name: getattr(row, f.name) for f in fields(IntegrationSettings)}
            values["activated_at"] = as_utc(values["activated_at"])
            return IntegrationSettings(**values)

    def save_settings(self, settings: IntegrationSettings, actor: str) -> None:
        """Replace the saved settings (activation fields included) and audit it."""
        with self.session() as session:
            row = session.get(SettingsRow, 1) or SettingsRow(id=1)
            for f in fields(IntegrationSettings):
                setattr(row, f.name, getattr(settings, f.name))
            row.updated_at, row.updated_by = utcnow(), actor
            session.add(row)
            self._audit(session, actor, "save_settings", json.dumps(_settings_detail(settings)))

    def set_active(self, active: bool, actor: str, test_record_id: str | None = None) -> None:
        """Activate or deactivate the saved settings, recording who and when."""
        now = utcnow()
        with self.session() as session:
            row = session.get(SettingsRow, 1)
            if row is None:
                raise LookupError("no settings saved: save the settings before activating")
            row.active = active
            row.activated_at = now if active else None
            row.activated_by = actor if active else None
            if active or test_record_id is not None:
                row.test_record_id = test_record_id
            row.updated_at, row.updated_by = now, actor
            self._audit(session, actor, "activate" if active else "deactivate", test_record_id or "")

    def audit(self, actor: str, action: str, detail: str) -> None:
        """Record an action in the audit log."""
        with self.session() as session:
            self._audit(session, actor, action, detail)

    @staticmethod
    def _audit(session: Session, actor: str, action: str, detail: str) -> None:
        session.add(AuditRow(at=utcnow(), actor=actor, action=action, detail=detail))

    def audit_log(self, limit: int = 50) -> list[AuditEntry]:
        """Return the newest audit entries first."""
        with self.session() as session:
            rows = session.scalars(select(AuditRow).order_by(AuditRow.id.desc()).limit(limit))
            return [AuditEntry(as_utc(r.at), r.actor, r.action, r.detail) for r in rows]  # type: ignore[arg-type]

    # -- OAuth one-time states --------------------------------------------------------------------------

    def issue_oauth_state(self, actor: str, ttl: timedelta = OAUTH_STATE_TTL) -> str:
        """Create a random single-use OAuth `state` bound to `actor`; expired ones are purged."""
        state = secrets.token_urlsafe(32)
        now = utcnow()
        with self.session() as session:
            session.execute(delete(OAuthStateRow).where(OAuthStateRow.expires_at < now))
            session.add(OAuthStateRow(state=state, actor=actor, expires_at=now + ttl))
        return state

    def oauth_state_actor(self, state: str) -> str | None:
        """Return the actor a valid unexpired `state` was issued to, without using it up."""
        with self.session() as session:
            row = session.get(OAuthStateRow, state)
            if row is None or as_utc(row.expires_at) < utcnow():  # type: ignore[operator]
                return None
            return row.actor

    def consume_oauth_state(self, state: str) -> str | None:
        """Return the actor of a valid unexpired `state` and delete it, so it works only once."""
        with self.session() as session:
            row = session.get(OAuthStateRow, state)
            if row is None:
                return None
            # The DELETE decides: of two concurrent consumers only one sees a deleted row.
            deleted = session.execute(delete(OAuthStateRow).where(OAuthStateRow.state == state)).rowcount
            if deleted != 1 or as_utc(row.expires_at) < utcnow():  # type: ignore[operator]
                return None
            return row.actor

    # -- runs -------------------------------------------------------------------------------------------

    def start_run(self, run_key: str, window_start: datetime, window_end: datetime) -> int:
        """Record a run as running (a retry of the same run key restarts it, dropping its old items)."""
        with self.session() as session:
            row = session.scalar(select(RunRow).where(RunRow.run_key == run_key))
            if row is None:
                row = RunRow(run_key=run_key)
                session.add(row)
            else:
                session.execute(delete(RunItemRow).where(RunItemRow.run_id == row.id))
            row.window_start, row.window_end = window_start, window_end
            row.status, row.started_at, row.finished_at, row.summary = "running", utcnow(), None, None
            session.flush()
            return row.id

    def record_items(self, run_id: int, items: list[tuple[str, str, str, str | None]]) -> None:
        """Record (kind, id, outcome, reason) outcomes of a run."""
        if not items:
            return
        with self.session() as session:
            session.execute(
                insert(RunItemRow.__table__),
                [{"run_id": run_id, "item_kind": k, "item_id": i, "outcome": o, "reason": r} for k, i, o, r in items],
            )

    def run_items(self, run_id: int) -> list[tuple[str, str, str, str | None]]:
        """Return a run's (kind, id, outcome, reason) outcomes in recording order."""
        with self.session() as session:
            rows = session.scalars(select(RunItemRow).where(RunItemRow.run_id == run_id).order_by(RunItemRow.id))
            return [(r.item_kind, r.item_id, r.outcome, r.reason) for r in rows]

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any]) -> None:
        """Close a run with its status and summary."""
        with self.session() as session:
            session.execute(
                update(RunRow)
                .where(RunRow.id == run_id)
                .values(status=status, finished_at=utcnow(), summary=json.dumps(summary, default=str))
            )

    def fail_run(self, run_key: str, reason: str) -> bool:
        """Close a running run as failed with its reason; False when it was already closed.

        The first reason wins: a task's own error is recorded before the DAG run's callback reports "task_failure".
        A run that failed before it chose its window (integration not active, a bad window) is recorded failed
        with an empty window at the moment it failed, so the settings page lists it too.
        """
        summary = json.dumps({"reason": reason, "counts": {}, "issues": []})
        with self.session() as session:
            closed = session.execute(
                update(RunRow)
                .where(RunRow.run_key == run_key, RunRow.status == "running")
                .values(status="failed", finished_at=utcnow(), summary=summary)
            ).rowcount
            if closed or session.scalar(select(RunRow.id).where(RunRow.run_key == run_key)) is not None:
                return closed == 1
            now = utcnow()
            session.add(RunRow(run_key=run_key, window_start=now, window_end=now, status="failed",
                               started_at=now, finished_at=now, summary=summary))
            return True

    def recent_runs(self, limit: int = 20) -> list[RunRecord]:
        """Return the newest runs first."""
        with self.session() as session:
            rows = session.scalars(select(RunRow).order_by(RunRow.id.desc()).limit(limit))
            return [_run_record(r) for r in rows]

    def runs_for_chart(self, days: int) -> list[RunRecord]:
        """Return every run started in the `days` calendar days (UTC) up to the newest run's day, oldest first."""
        with self.session() as session:
            newest = as_utc(session.scalar(select(func.max(RunRow.started_at))))
            if newest is None:
                return []
            since = datetime.combine(newest.date() - timedelta(days=days - 1), time(), timezone.utc)
            rows = session.scalars(select(RunRow).where(RunRow.started_at >= since).order_by(RunRow.id))
            return [_run_record(r) for r in rows]

    def run_by_key(self, run_key: str) -> RunRecord | None:
        """Return the newest run recorded under an Airflow run id, or None."""
        with self.session() as session:
            row = session.scalars(select(RunRow).where(RunRow.run_key == run_key).order_by(RunRow.id.desc())).first()
            return None if row is None else _run_record(row)

    def last_successful_window_end(self) -> datetime | None:
        """Return the end of the latest window that synced successfully (event-driven runs synced only some chats)."""
        with self.session() as session:
            value = session.scalar(
                select(RunRow.window_end)
                .where(RunRow.status == "success", RunRow.run_key.not_like(f"{EVENT_RUN_PREFIX}%"))
                .order_by(RunRow.window_end.desc())
            )
            return as_utc(value)


def _settings_detail(settings: IntegrationSettings) -> dict[str, Any]:
    keep = ("module", "phone_field", "name_field", "chat_link_field", "lead_source_field", "timezone",
            "keep_zoho_names")
    return {key: getattr(settings, key) for key in keep}


def _run_record(row: RunRow) -> RunRecord:
    return RunRecord(
        id=row.id,
        run_key=row.run_key,
        window_start=as_utc(row.window_start),  # type: ignore[arg-type]
        window_end=as_utc(row.window_end),  # type: ignore[arg-type]
        status=row.status,
        started_at=as_utc(row.started_at),  # type: ignore[arg-type]
        finished_at=as_utc(row.finished_at),
        summary=json.loads(row.summary) if row.summary else None,
    )
