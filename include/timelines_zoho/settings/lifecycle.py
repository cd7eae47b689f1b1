"""The integration lifecycle (connect, configure, activate, deactivate): one module for the UI, the CLI and the DAG."""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import asdict, dataclass, replace
from typing import Any

from timelines_zoho.settings import connections, fields, oauth, webhooks
from timelines_zoho.settings.activation import activate_in_zoho
from timelines_zoho.settings.connect import Workspace, connect_timelines, describe_workspace
from timelines_zoho.settings.errors import PermissionDenied, SettingsError, SettingsLocked
from timelines_zoho.state import IntegrationSettings, StateStore

log = logging.getLogger(__name__)

LABELS = {"phone_field": "field for the WhatsApp number", "name_field": "field for the contact name",
          "chat_link_field": "field for the chat link", "lead_source_field": "field for the lead source"}
FIELD_SETTINGS = tuple(LABELS)


@dataclass(frozen=True)
class Actor:
    """Who asks for a change; only Airflow admins may change anything."""

    name: str
    is_admin: bool


@dataclass
class Destinations:
    """Modules offered as sync destination, and the ones left out because they have no phone field."""

    offered: list[dict[str, str]]
    without_phone: list[dict[str, str]]


class Lifecycle:
    """Connect TimelinesAI and Zoho, pick the destination and fields, activate with a test contact, deactivate."""

    def __init__(
        self,
        store: StateStore | None = None,
        *,
        zoho_conn_id: str = "zoho_crm_default",
        timelines_conn_id: str = "timelines_ai_default",
    ) -> None:
        self.store = store or StateStore()
        self.zoho_conn_id = zoho_conn_id
        self.timelines_conn_id = timelines_conn_id

    # -- reading (any authenticated user; the DAG) -------------------------------------------------------

    def settings(self) -> IntegrationSettings:
        """Return the saved settings (empty and inactive when nothing was saved)."""
        return self.store.get_settings() or IntegrationSettings()

    def active_settings(self) -> IntegrationSettings | None:
        """Return the settings when the integration is active, else None (the DAG syncs only then)."""
        current = self.store.get_settings()
        return current if current and current.active else None

    def zoho_status(self) -> dict[str, Any] | None:
        """Describe the Zoho connection without any secret, or None when not connected."""
        conn = connections.get_fields(self.zoho_conn_id)
        if conn is None or not conn["extra"].get("refresh_token"):
            return None
        extra = conn["extra"]
        if not extra.get("connected_user"):
            # A connection made outside this page (Airflow's form, `make sync`): ask Zoho once, then remember.
            extra = {**extra, **self._remember_who()}
        return {"client_id": conn["login"], "data_centre": extra.get("data_centre"),
                "api_domain": extra.get("api_domain"), "user": extra.get("connected_user") or "unknown",
                "org": extra.get("connected_org")}

    def workspace(self) -> Workspace | None:
        """Describe the connected TimelinesAI workspace, or None when not connected."""
        if connections.get_fields(self.timelines_conn_id) is None:
            return None
        return describe_workspace(self.timelines_conn_id)[0]

    def destinations(self) -> Destinations:
        """List the Zoho modules that can take contacts (those with a phone field) and the others."""
        hook = self._zoho()
        offered, without = [], []
        for module in fields.candidate_modules(hook.list_modules()):
            entry = {"api_name": module["api_name"], "label": module.get("plural_label") or module["api_name"]}
            has_phone = fields.has_phone_field(hook.list_fields(module["api_name"]))
            (offered if has_phone else without).append(entry)
        return Destinations(offered, without)

    def field_options(self, module: str) -> fields.ModuleOptions:
        """Return the choices and defaults for every field setting of `module`."""
        options = fields.module_options(module, self._zoho().list_fields(module))
        if not options.phone_fields:
            raise SettingsError(f"The module {module} has no phone field, so contacts cannot sync to it.",
                                "Add a field of type Phone to the module in Zoho, or choose another module.")
        return options

    def default_timezone(self) -> str:
        """Return the workspace's timezone; TimelinesAI names none, so the Zoho org's (same company), else UTC."""
        workspace = self.workspace()
        candidates = [workspace.timezone if workspace else None, self._zoho().get_org().get("time_zone")]
        return next((tz for tz in candidates if tz in zoneinfo.available_timezones()), "UTC")

    # -- drafting (pure: nothing is kept until activation) -----------------------------------------------

    def change_destination(self, draft: IntegrationSettings, module: str) -> IntegrationSettings:
        """Set a new destination; every other setting is cleared, as they belonged to the old module."""
        if module == draft.module:
            return draft
        return IntegrationSettings(module=module)

    def with_defaults(self, draft: IntegrationSettings) -> IntegrationSettings:
        """Fill the unset fields of a draft with the module's defaults and the workspace's timezone."""
        if not draft.module:
            return draft
        defaults = self.field_options(draft.module).defaults
        filled = {name: getattr(draft, name) or defaults.get(name) for name in FIELD_SETTINGS}
        return replace(draft, **filled, timezone=draft.timezone or self.default_timezone())

    def problems(self, draft: IntegrationSettings) -> list[str]:
        """Return what is wrong with a draft against live Zoho metadata (empty when it can be activated)."""
        if not draft.module:
            return ["Choose the sync destination."]
        offered = {m["api_name"] for m in self.destinations().offered}
        if draft.module not in offered:
            return [f"The module {draft.module} cannot be a destination: it needs a phone field."]
        options = fields.module_options(draft.module, self._zoho().list_fields(draft.module))
        found = []
        for name in FIELD_SETTINGS:
            value = getattr(draft, name)
            allowed = [c.api_name for c in options.choices(name)]
            label = LABELS[name]
            if not value:
                found.append(f"Choose the {label}.")
            elif value not in allowed:
                found.append(f"{value} cannot be the {label} of {draft.module}; choose one of {', '.join(allowed)}.")
        if not draft.timezone:
            found.append("Choose the timezone of the day.")
        elif draft.timezone not in zoneinfo.available_timezones():
            found.append(f"{draft.timezone} is not a known timezone.")
        return found

    # -- changing (admins only, audited) ------------------------------------------------------------------

    def connect_timelines(self, actor: Actor, token: str, base_url: str | None = None) -> Workspace:
        """Store the TimelinesAI token after checking that it belongs to the workspace Owner."""
        self._require_editable(actor, "connect TimelinesAI")
        workspace = connect_timelines(self.timelines_conn_id, token, base_url)
        self.store.audit(actor.name, "connect_timelines", f"workspace {workspace.name}")
        return workspace

    def start_zoho_authorization(self, actor: Actor, client: oauth.ZohoClient, redirect_uri: str) -> str:
        """Stage the Zoho client and return the consent-page URL carrying a one-time state bound to `actor`."""
        self._require_editable(actor, "connect Zoho CRM")
        accounts = oauth.stage_client(self.zoho_conn_id, client, redirect_uri=redirect_uri)
        state = self.store.issue_oauth_state(actor.name)
        self.store.audit(actor.name, "zoho_authorization_started", f"client {client.client_id}")
        return oauth.authorization_url(accounts, client.client_id, redirect_uri, state)

    def finish_zoho_authorization(
        self, actor: Actor, *, code: str | None, state: str | None, accounts_server: str | None = None
    ) -> dict[str, Any]:
        """Check the callback's state, follow its accounts server, and store the refresh token.

        The state must have been issued to this actor, and it is used up only once every check passed, so a
        forged callback cannot spend the state of the genuine one.
        """
        self._require_editable(actor, "connect Zoho CRM")
        oauth.check_state(self.store, state, actor.name)
        if not code:
            raise oauth.OAuthRefused("Zoho sent no authorization code (consent was declined?).",
                                     "Click “Connect Zoho CRM” again and accept.")
        if accounts_server:
            staged = connections.get_extra(oauth.pending_conn_id(self.zoho_conn_id)) or {}
            server = oauth.trusted_accounts_server(accounts_server, staged.get("accounts_url") or "")
            oauth.follow_accounts_server(self.zoho_conn_id, server)
        oauth.consume_state(self.store, state, actor.name)
        return self._commit_zoho(actor, code)

    def connect_zoho_grant_code(self, actor: Actor, client: oauth.ZohoClient, code: str) -> dict[str, Any]:
        """Connect with a grant code pasted from a Zoho self client."""
        self._require_editable(actor, "connect Zoho CRM")
        oauth.stage_client(self.zoho_conn_id, client)
        return self._commit_zoho(actor, code)

    def save_draft(self, actor: Actor, draft: IntegrationSettings) -> IntegrationSettings:
        """Save inactive settings (the CLI's `set`); refused while the integration is active."""
        self._require_editable(actor, "change the settings")
        draft = replace(draft, active=False, activated_at=None, activated_by=None, test_record_id=None)
        self.store.save_settings(draft, actor.name)
        return draft

    def activate(self, actor: Actor, draft: IntegrationSettings) -> IntegrationSettings:
        """Validate, make sure the picklist offers TimelinesAI, create a test contact, then lock the settings."""
        self._require_editable(actor, "activate the integration")
        found = self.problems(draft)
        if found:
            raise SettingsError("The settings are incomplete: " + " ".join(found))
        try:
            record_id = activate_in_zoho(self._zoho(), draft, self.settings().test_record_id)
        except SettingsError as exc:
            self.store.audit(actor.name, "activation_failed", exc.message)
            raise
        clean = replace(draft, active=False, activated_at=None, activated_by=None, test_record_id=None)
        self.store.save_settings(clean, actor.name)
        self.store.set_active(True, actor.name, test_record_id=record_id)
        log.info("integration activated by %s with test record %s", actor.name, record_id)
        webhooks.after_activation(self.store, actor.name)
        return self.settings()

    def deactivate(self, actor: Actor) -> IntegrationSettings:
        """Unlock the settings for editing; the DAG stops syncing until the next activation."""
        self._require_admin(actor, "deactivate the integration")
        if not self.settings().active:
            raise SettingsError("The integration is not active.")
        self.store.set_active(False, actor.name)
        webhooks.after_deactivation(self.store, actor.name)
        return self.settings()

    def audit_log(self, limit: int = 20) -> list[dict[str, Any]]:
        """Return the newest audited changes."""
        return [asdict(entry) for entry in self.store.audit_log(limit)]

    # -- helpers ---------------------------------------------------------------------------------------

    def _zoho(self) -> Any:
        from timelines_zoho.hooks import ZohoCRMHook

        return ZohoCRMHook(zoho_conn_id=self.zoho_conn_id)

    def _commit_zoho(self, actor: Actor, code: str) -> dict[str, Any]:
        user = oauth.exchange_and_commit(self.zoho_conn_id, code)
        who = self._remember_who(user)
        self.store.audit(actor.name, "connect_zoho", f"as {who.get('connected_user')}")
        return user

    def _remember_who(self, user: dict[str, Any] | None = None) -> dict[str, str]:
        """Store the connection's Zoho user and organisation names in its extra; {} when Zoho does not answer."""
        from timelines_zoho.hooks.errors import UnreadableResponse, WriteOutcomeUnknown, ZohoAPIError

        try:
            hook = self._zoho()
            user = user or hook.current_user() or {}
            org = hook.get_org().get("company_name") or ""
        except (ZohoAPIError, OSError, WriteOutcomeUnknown, UnreadableResponse) as error:
            log.warning("could not ask Zoho who the connection acts for: %s", type(error).__name__)
            return {}
        who = {"connected_user": user.get("email") or user.get("full_name") or str(user.get("id", "")),
               "connected_org": org}
        connections.upsert(self.zoho_conn_id, oauth.ZOHO_CONN_TYPE, extra=who)
        return who

    @staticmethod
    def _require_admin(actor: Actor, what: str) -> None:
        if not actor.is_admin:
            raise PermissionDenied(f"Only Airflow admins may {what}; {actor.name} is not an admin.")

    def _require_editable(self, actor: Actor, what: str) -> None:
        self._require_admin(actor, what)
        if self.settings().active:
            raise SettingsLocked("The integration is active, so its settings are read-only.",
                                 "Click “Deactivate and edit settings” first.")
