"""Names in Zoho: whether a WhatsApp rename is written to a record, and which name a note title carries.

Pure functions, so the loaders only ask and the policy is tested on its own.
"""

from __future__ import annotations

from datetime import date

from timelines_zoho.transform.assemble import title
from timelines_zoho.transform.contacts import PLACEHOLDER_PREFIX

EDITED_IN_ZOHO = "the name was edited in Zoho since our last write; kept (setting: keep names edited in Zoho)"


def keeps_zoho_edit(written_name: str, zoho_name: str | None, *, keep_zoho_names: bool) -> bool:
    """Whether a WhatsApp rename of a record we created is withheld because a person edited the name in Zoho.

    By default a WhatsApp rename wins, as the product says; with `keep_zoho_names` a name edited in Zoho since
    our last write is left as it is.
    """
    return keep_zoho_names and zoho_name is not None and zoho_name != written_name


def is_placeholder(name: str | None) -> bool:
    """Whether a name is the one we give a record when WhatsApp has none."""
    return name is None or not name.strip() or name.startswith(PLACEHOLDER_PREFIX)


def note_title(transform_title: str, zoho_name: str | None, day: str, part: int, parts: int) -> str:
    """Return the note title with the name the linked record has in Zoho.

    The transform's title (WhatsApp's name, else the phone) stands when Zoho's name is unknown or our placeholder.
    """
    if is_placeholder(zoho_name):
        return transform_title
    return title(str(zoho_name), date.fromisoformat(day).strftime("%d/%m/%Y"), part, parts)
