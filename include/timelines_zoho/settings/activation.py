"""What activation does in Zoho: add the TimelinesAI picklist option if missing, then create one test contact."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from timelines_zoho.settings.errors import ActivationFailed
from timelines_zoho.settings.fields import LEAD_SOURCE_OPTION, picklist_has_option

if TYPE_CHECKING:
    from timelines_zoho.state import IntegrationSettings

log = logging.getLogger(__name__)

TEST_PHONE = "+447700900123"  # Ofcom's range reserved for drama: never a real subscriber.
TEST_CHAT_URL = "https://app.timelines.ai/chat/0/messages/"
TEST_NAME = "TimelinesAI test contact"
HINTS = {
    "MANDATORY_NOT_FOUND": "The module requires a field the integration does not fill ({field}). In Zoho, make it "
    "optional (Setup → Customization → Modules and Fields) or give it a default value, then activate again.",
    "INVALID_DATA": "Zoho rejected the value of {field}. Check the field's type and length, and any validation "
    "rule on the module, or choose another field.",
    "DUPLICATE_DATA": "A record with the same unique value ({field}) exists: delete the old test contact in Zoho.",
    "NO_PERMISSION": "The connected Zoho user may not do this: connect Zoho CRM as an administrator.",
}
DEFAULT_HINT = "Fix the cause in Zoho (for example a validation rule or workflow on the module), then activate again."


def test_record(settings: IntegrationSettings) -> dict[str, Any]:
    """Build the test contact with every mapped field set."""
    return {
        settings.phone_field: TEST_PHONE,
        settings.name_field: TEST_NAME,
        settings.chat_link_field: TEST_CHAT_URL,
        settings.lead_source_field: LEAD_SOURCE_OPTION,
    }


def _failure(step: str, code: str, message: str, details: dict[str, Any] | None) -> ActivationFailed:
    details = details or {}
    field = details.get("api_name") or "unknown field"
    hint = HINTS.get(code, DEFAULT_HINT).format(field=field)
    return ActivationFailed(f"{step} failed: Zoho said {code}: {message}.", hint, code=code, details=details)


def ensure_picklist_option(hook: Any, module: str, field_name: str) -> bool:
    """Add the TimelinesAI option to the lead-source picklist when missing; return whether it was added."""
    from timelines_zoho.hooks.errors import ZohoAPIError

    meta = next((f for f in hook.list_fields(module) if f["api_name"] == field_name), None)
    if meta is None:
        raise ActivationFailed(f"The field {field_name} no longer exists in {module}.", "Choose the field again.")
    if picklist_has_option(meta, LEAD_SOURCE_OPTION):
        return False
    try:
        hook.add_picklist_option(module, meta["id"], LEAD_SOURCE_OPTION)
    except ZohoAPIError as exc:
        raise _failure(f"Adding the {LEAD_SOURCE_OPTION} option to {field_name}", exc.code, exc.message,
                       exc.details) from exc
    log.info("added picklist option to %s.%s", module, field_name)
    return True


def earlier_test_records(hook: Any, settings: IntegrationSettings, known_id: str | None) -> set[str]:
    """Return the test contacts earlier activations left in the module: the stored id, and any found by phone."""
    found = {str(r["id"]) for r in hook.search_records(settings.module, phone=TEST_PHONE)
             if r.get(settings.name_field) == TEST_NAME}
    return found | ({known_id} if known_id else set())


def remove_earlier_test_records(hook: Any, settings: IntegrationSettings, known_id: str | None, keep: str) -> None:
    """Delete the earlier test contacts; one that cannot be deleted (gone already, no permission) is only logged."""
    from timelines_zoho.hooks.errors import ZohoAPIError

    for record_id in sorted(earlier_test_records(hook, settings, known_id) - {keep}):
        try:
            hook.delete_record(settings.module, record_id)
        except ZohoAPIError as exc:
            log.warning("could not delete the earlier test contact %s in %s: %s", record_id, settings.module, exc.code)


def activate_in_zoho(hook: Any, settings: IntegrationSettings, known_test_id: str | None = None) -> str:
    """Run the Zoho side of activation and return the test record's id; raise ActivationFailed on refusal.

    A new test contact is created every time (that is the check: Zoho's mandatory fields and validation rules
    apply to creation), then the earlier ones are deleted, so the test phone never matches two records.
    """
    from timelines_zoho.hooks.errors import ZohoAPIError

    ensure_picklist_option(hook, settings.module, settings.lead_source_field)
    try:
        (result,) = hook.insert_records(settings.module, [test_record(settings)])
    except ZohoAPIError as exc:
        raise _failure("Creating the test contact", exc.code, exc.message, exc.details) from exc
    if not result.ok:
        raise _failure("Creating the test contact", result.code, result.message, result.details)
    remove_earlier_test_records(hook, settings, known_test_id, keep=str(result.id))
    return str(result.id)
