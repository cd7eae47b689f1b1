"""What a file's size and Zoho's answer to its upload mean: refused for good, retried, or perhaps stored already.

- Permanent: Zoho refuses the file itself (413 or a size code; `INVALID_DATA`, `NOT_SUPPORTED` or `NOT_ALLOWED`
  whose details name the `file` part, e.g. an `.exe`), or the file is over Zoho's 20 MB limit. Sending it again can
  never succeed, so it is recorded once as refused with the reason, listed in the note and the run summary, and
  never uploaded again.
- Transient: anything else (429, 5xx, credits, auth, permissions, a TimelinesAI download error). The file is
  quarantined and retried on the next run (the quarantine counts the attempts).
- Not applied: a 4xx (or a 200 carrying an error item) means Zoho stored nothing; any other failure after the
  upload was sent may have stored the file, so its ledger entry stays pending and is reconciled first.
"""

from __future__ import annotations

from timelines_zoho.hooks.errors import ZohoAPIError

ZOHO_NOTE_FILE_LIMIT = 20 * 1024 * 1024
TOO_LARGE_CODES = {"FILE_SIZE_EXCEEDS", "FILE_SIZE_MORE_THAN_ALLOWED_SIZE", "BODY_SIZE_REACHED"}
# Codes that blame the request's content; they are permanent only when the details name the file part.
FILE_REFUSAL_CODES = {"INVALID_DATA", "NOT_SUPPORTED", "NOT_ALLOWED"}


def too_large(size: int) -> str:
    """Say why a file of `size` bytes is not attached."""
    return f"not attached: {size / 1024 / 1024:.1f} MB is over Zoho's 20 MB limit for note attachments"


def not_applied(error: ZohoAPIError) -> bool:
    """Zoho answered and turned the upload down (a 4xx, or 200 with an error item), so it stored nothing."""
    return 400 <= error.status < 500 or error.status == 200


def permanent_refusal(error: ZohoAPIError) -> str | None:
    """Say why Zoho will never take this file, or None when the error is transient and worth a later retry."""
    if error.status == 413 or error.code in TOO_LARGE_CODES:
        return f"not attached: Zoho refused it as too large ({error.code})"
    # The code alone is not enough: INVALID_DATA also means a deleted note (details name the id), which may recover.
    if error.code in FILE_REFUSAL_CODES and error.details.get("param_name") == "file":
        return f"not attached: Zoho refused the file ({error.code}: {error.message})"
    return None
