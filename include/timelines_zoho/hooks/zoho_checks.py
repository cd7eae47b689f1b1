"""The Zoho connection test: one real call per scope the sync needs, failures told in plain words."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import requests

from timelines_zoho.hooks.errors import ZohoAPIError, zoho_words
from timelines_zoho.hooks.token_cache import UnencryptedCacheError

if TYPE_CHECKING:
    from timelines_zoho.hooks.zoho import ZohoCRMHook

# (what is checked, the scope it needs, the call) - the order is the order a user fixes things in.
# The refresh comes first: a cached access token keeps working with a wrong client secret, a refresh does not.
CHECKS: list[tuple[str, str, Callable[[ZohoCRMHook], Any]]] = [
    ("token refresh", "the client ID, secret and refresh token", lambda h: h.auth.refresh_now()),
    ("current user", "ZohoCRM.users.READ", lambda h: h.current_user()),
    ("organisation", "ZohoCRM.org.READ", lambda h: h.get_org()),
    ("modules", "ZohoCRM.settings.modules.READ", lambda h: h.list_modules()),
    ("fields", "ZohoCRM.settings.fields.ALL", lambda h: h.list_fields("Contacts")),
    ("records", "ZohoCRM.modules.ALL", lambda h: next(iter(h.list_records("Contacts", "id", per_page=1)), None)),
    ("COQL", "ZohoCRM.coql.READ", lambda h: next(iter(h.coql("select id from Contacts limit 1")), None)),
    ("notes", "ZohoCRM.modules.notes.ALL", lambda h: next(iter(h.list_records("Notes", "id", per_page=1)), None)),
]


def run_checks(hook: ZohoCRMHook) -> tuple[bool, str]:
    """Run every check; stop at the first failure and say which code, what it means and what it needed."""
    user: Any = None
    for what, scope, check in CHECKS:
        try:
            result = check(hook)
        except ZohoAPIError as error:
            return False, f"{what}: {error.code}: {zoho_words(error.code, scope)} ({error.message})"
        except requests.RequestException as error:
            return False, f"{what}: cannot reach Zoho: {type(error).__name__}"
        except (ValueError, UnencryptedCacheError) as error:  # a connection or setup that cannot work at all
            return False, f"connection: {error}"
        if what == "current user":
            user = result
    who = (user or {}).get("email") or "an unknown user"
    return True, f"Connected to Zoho CRM at {hook.auth.credentials.data_centre.code} as {who}; all {len(CHECKS)} checks passed"
