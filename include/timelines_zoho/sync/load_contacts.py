"""Load contacts: match chats to Zoho records through the local phone index, create the missing ones in batches
of 100 (one per phone, claimed in the state store first), link the rest, and carry WhatsApp renames over.

Decisions:

- One record per phone: chats sharing a phone (one customer writing to two of our numbers) are linked to the
  record created from the transform's primary chat.
- Several records under one phone are never guessed: each chat is reported as ambiguous and nothing is written.
- A rename is written only to records we created and only when WhatsApp has a real name. It wins over a name
  edited in Zoho unless the setting "keep names edited in Zoho" is on (see `naming.keeps_zoho_edit`).
- A claim that another live run holds is deferred to a later run (quarantine); a claim left by a stopped run is
  taken over and Zoho is searched by phone before anything is created, so a crash never duplicates a contact.
- A create whose answer was lost (reset, timeout, unreadable 200) may have been applied: its claims are kept
  but abandoned, so the next run takes them over at once and searches Zoho by phone before creating again.
- A record found for a phone we claimed (a crash hid its id from us, or another run created it) is ours: it is
  linked as created, with the name Zoho holds as the name we wrote, so later renames still apply to it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from typing import Any

import pandas as pd

from timelines_zoho.state import ChatLink, IndexedRecord, StateStore
from timelines_zoho.sync.destination import Destination, DestinationError, Failure, NewRecord, chunked
from timelines_zoho.sync.items import Items
from timelines_zoho.sync.naming import EDITED_IN_ZOHO, keeps_zoho_edit
from timelines_zoho.transform.phones import zoho_phone_keys

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Group:
    """Chats that share a phone; `primary` is the one a new record is created from."""

    primary: dict[str, Any]
    chats: list[dict[str, Any]]
    keys: list[str]


def _new_record(row: dict[str, Any]) -> NewRecord:
    """The record to create from a group's primary chat: NewRecord's fields, by name, from the contact row."""
    return NewRecord(**{f.name: row.get(f.name) for f in fields(NewRecord)})


def _groups(rows: list[dict[str, Any]]) -> list[Group]:
    by_key: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_key.setdefault(min(row["match_keys"]), []).append(row)
    groups = []
    for members in by_key.values():
        primary = next((r for r in members if r.get("is_primary")), members[0])
        keys = sorted({k for r in members for k in r["match_keys"]})
        groups.append(Group(primary, members, keys))
    return groups


class ContactLoader:
    """Load one shard of contacts for one run."""

    def __init__(self, destination: Destination, store: StateStore, items: Items, *, token: str,
                 dry_run: bool = False, keep_zoho_names: bool = False) -> None:
        self.dest, self.store, self.items, self.token, self.dry_run = destination, store, items, token, dry_run
        self.keep_zoho_names = keep_zoho_names

    def load(self, contacts: pd.DataFrame) -> None:
        """Link, create and rename the shard's contacts, recording every outcome."""
        rows = contacts.to_dict(orient="records")
        links = self.store.links([str(r["chat_id"]) for r in rows])
        self._renames([r for r in rows if str(r["chat_id"]) in links], links)
        to_create: list[Group] = []
        matched: list[tuple[Group, str]] = []
        groups = _groups([r for r in rows if str(r["chat_id"]) not in links])
        by_key = self.store.match_phone_keys([key for group in groups for key in group.keys])
        for group in groups:
            matches: set[str] = set().union(*(by_key.get(key, ()) for key in group.keys))
            if len(matches) > 1:
                self._ambiguous(group, matches)
            elif matches:
                matched.append((group, matches.pop()))
            else:
                to_create.append(group)
        self._link_matches(matched)
        if self.dry_run:
            for group in to_create:
                self.items.add("contact", group.primary["chat_id"], "would_create")
            return
        self._create(to_create)

    # -- matching outcomes -------------------------------------------------------------------------------

    def _ambiguous(self, group: Group, matches: set[str]) -> None:
        ids = ", ".join(sorted(matches))
        for row in group.chats:
            self.items.add("contact", row["chat_id"], "ambiguous",
                           f"phone {row['phone_e164']} matches {len(matches)} Zoho records ({ids}); not merged")

    def _link_matches(self, matched: list[tuple[Group, str]]) -> None:
        """Link each group to its one matching record: as created when we claimed its phone, else as linked."""
        if not matched:
            return
        claimed = self.store.claimed_phones([group.primary["phone_e164"] for group, _ in matched])
        mine = [claimed.get(group.primary["phone_e164"], "-") in (None, rid) for group, rid in matched]
        with self.store.batch():
            self._adopt([match for match, ours in zip(matched, mine, strict=True) if ours])
            for (group, record_id), ours in zip(matched, mine, strict=True):
                if not ours:
                    self._link(group, record_id, "linked")

    def _adopt(self, found: list[tuple[Group, str]]) -> None:
        """Link records our runs created as created: the name Zoho holds for each is the one we wrote."""
        seen = self.store.index_records([record_id for _, record_id in found])
        with self.store.batch():
            for group, record_id in found:
                name = seen[record_id].name if record_id in seen else None
                self._link(group, record_id, "created", name or group.primary["name"], adopted=True)

    def _link(self, group: Group, record_id: str, how: str, written_name: str | None = None, *,
              adopted: bool = False) -> None:
        """Save the group's links; an adopted record (created by an earlier run) is reported as linked."""
        if self.dry_run:
            for row in group.chats:
                self.items.add("contact", row["chat_id"], "would_link")
            return
        links = [
            ChatLink(str(row["chat_id"]), record_id, row["phone_e164"],
                     written_name if row is group.primary else None, how if row is group.primary else "linked")
            for row in group.chats
        ]
        self.store.save_links(links)
        for link in links:
            self.items.add("contact", link.chat_id, "linked" if adopted else link.how)
            self.items.release("chat", link.chat_id)

    # -- creation ----------------------------------------------------------------------------------------

    def _create(self, groups: list[Group]) -> None:
        if not groups:
            return
        by_phone = {g.primary["phone_e164"]: g for g in groups}
        claims = self.store.claim_phones(self.token, {p: str(g.primary["chat_id"]) for p, g in by_phone.items()})
        creatable: list[Group] = []
        done: list[tuple[Group, str]] = []
        for phone, claim in sorted(claims.items()):
            group = by_phone[phone]
            if claim.status == "done":
                done.append((group, str(claim.record_id)))
            elif claim.status == "busy":
                self._defer(group, "another run is creating this contact right now; retried on the next run")
            elif claim.status == "reclaimed" and self._found_by_search(group):
                continue
            else:
                creatable.append(group)
        self._adopt(done)
        for batch in chunked(creatable, self.dest.batch_size):
            self._create_batch(batch)

    def _found_by_search(self, group: Group) -> bool:
        """After a stopped run, look the phone up in Zoho itself; link what is found."""
        phone = group.primary["phone_e164"]
        wanted = set(group.keys)
        found = {
            record.id
            for record in self.dest.find_records(phone)
            if any(wanted & set(zoho_phone_keys(held)) for held in record.phones)
        }
        if len(found) == 1:
            record_id = found.pop()
            self.store.complete_claims(self.token, {phone: record_id})
            self._link(group, record_id, "created", group.primary["name"])
            return True
        if found:
            self.store.release_claims(self.token, [phone])
            self._ambiguous(group, found)
            return True
        return False

    def _create_batch(self, groups: list[Group]) -> None:
        phones = [g.primary["phone_e164"] for g in groups]
        try:
            results = self.dest.create_records([_new_record(g.primary) for g in groups])
        except DestinationError as error:
            if error.failure is Failure.UNKNOWN:
                self.store.abandon_claims(self.token, phones)
                reason = f"{error.reason}; Zoho is searched by phone before the next try"
            else:
                self.store.release_claims(self.token, phones)
                reason = error.reason
            for group in groups:
                self._defer(group, reason)
            return
        created: dict[str, str] = {}
        refusals: list[tuple[Group, str]] = []
        for group, result in zip(groups, results, strict=True):
            if result.ok and result.id:
                created[group.primary["phone_e164"]] = result.id
            else:
                refusals.append((group, result.reason))
        # What Zoho answered for the batch is recorded in one transaction: claims, index and links together.
        with self.store.batch():
            self.store.release_claims(self.token, [group.primary["phone_e164"] for group, _ in refusals])
            self.store.complete_claims(self.token, created)
            self.store.upsert_index_records([
                IndexedRecord(rid, by.primary["name"], None, tuple(by.keys))
                for by in groups if (rid := created.get(by.primary["phone_e164"]))
            ])
            for group in groups:
                if group.primary["phone_e164"] in created:
                    self._link(group, created[group.primary["phone_e164"]], "created", group.primary["name"])
        for group, reason in refusals:
            self._defer(group, reason, outcome="failed")
        log.info("created %d of %d contacts", len(created), len(groups))

    def _defer(self, group: Group, reason: str, outcome: str = "deferred") -> None:
        for row in group.chats:
            self.items.add("contact", row["chat_id"], outcome, reason)
            self.items.quarantine("chat", row["chat_id"], row["chat_id"], reason)

    # -- renames -----------------------------------------------------------------------------------------

    def _renames(self, rows: list[dict[str, Any]], links: dict[str, ChatLink]) -> None:
        candidates = []
        for row in rows:
            link = links[str(row["chat_id"])]
            if link.how != "created" or link.written_name is None or not row.get("has_whatsapp_name"):
                continue
            if row["name"] != link.written_name:
                candidates.append((row, link))
        if not candidates:
            return
        current = self.store.index_records([link.record_id for _, link in candidates])
        updates = []
        for row, link in candidates:
            seen = current.get(link.record_id)
            if keeps_zoho_edit(str(link.written_name), seen.name if seen else None,
                               keep_zoho_names=self.keep_zoho_names):
                self.items.add("contact", row["chat_id"], "rename_skipped", EDITED_IN_ZOHO)
            else:
                updates.append((row, link))
        if self.dry_run:
            for row, _ in updates:
                self.items.add("contact", row["chat_id"], "would_rename")
            return
        for batch in chunked(updates, self.dest.batch_size):
            try:
                results = self.dest.rename_records([(link.record_id, row["name"]) for row, link in batch])
            except DestinationError as error:  # an unknown outcome: a rename is safe to send again, the next run does
                for row, _ in batch:
                    self.items.add("contact", row["chat_id"], "deferred", error.reason)
                continue
            done = []
            for (row, link), result in zip(batch, results, strict=True):
                if result.ok:
                    done.append(ChatLink(link.chat_id, link.record_id, link.phone_e164, row["name"], link.how))
                    self.items.add("contact", row["chat_id"], "renamed")
                else:
                    self.items.add("contact", row["chat_id"], "failed", result.reason)
            with self.store.batch():
                self.store.save_links(done)
                self.store.set_index_names({x.record_id: x.written_name for x in done if x.written_name})
