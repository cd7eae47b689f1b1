"""The hand-made chats every generated workspace starts with: one of each documented shape and quirk."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from timelines_zoho_sandbox.timelinesai import content
from timelines_zoho_sandbox.timelinesai.model import COLUMNS, MT_CALL, MT_NOTE, MT_WHATSAPP, Account, Chat

if TYPE_CHECKING:
    from timelines_zoho_sandbox.timelinesai.generator import WorkspaceParams

VERY_LONG_CHARS = 70_000  # longer than a Zoho note may be (65,535), so the pipeline must split it
BIG_ATTACHMENT_BYTES = 21 * 1024 * 1024 + 4321  # over the 20 MB Zoho attachment limit

# key, name, phone, jid, account slot, extra attributes
SPECIAL_CHATS: tuple[tuple[str, str, str | None, str, int, dict], ...] = (
    (
        "anna",
        "Anna Kowalska",
        "+48601234567",
        "48601234567@s.whatsapp.net",
        0,
        {"labels": ["customer", "vip"], "responsible": 0, "read": False},
    ),
    ("anna_again", "Anna K.", "+48601234567", "48601234567@s.whatsapp.net", 1, {"responsible": 2}),
    ("br_ninth", "João Silva", "+5511987654321", "5511987654321@s.whatsapp.net", 0, {"responsible": 1}),
    ("br_legacy", "Carla Souza", "+5511987654322", "551187654322@s.whatsapp.net", 0, {}),
    ("mx", "Luis Hernández", "+5215512345678", "5215512345678@s.whatsapp.net", 0, {"labels": ["lead"]}),
    ("ar", "Sofía Gómez", "+5491123456789", "5491123456789@s.whatsapp.net", 2, {}),
    ("group", "Wholesale buyers 🛒", None, "120363041234567890@g.us", 0, {"is_group": True}),
    ("group_again", "Wholesale buyers 🛒", None, "120363041234567890@g.us", 2, {"is_group": True}),
    ("broadcast", "Spring promo list", None, "1711000000@broadcast", 0, {"allowed": False}),
    ("newsletter", "ACME News", None, "120363200000000001@newsletter", 0, {"allowed": False}),
    ("lid", "Privacy Person", "+236974988349577", "236974988349577@lid", 0, {}),
    ("zero", "+0", "+0", "0@s.whatsapp.net", 0, {}),
    ("unnamed", "+447700900123", "+447700900123", "447700900123@s.whatsapp.net", 1, {}),
    ("renamed", "Jonas Becker (ACME GmbH)", "+4915112345678", "4915112345678@s.whatsapp.net", 0, {}),
    ("night", "Night Owl Logistics", "+34612345678", "34612345678@s.whatsapp.net", 2, {"responsible": 3}),
    ("closed", "Old Supplier", "+393123456700", "393123456700@s.whatsapp.net", 0, {"closed": True}),
    ("disconnected", "Former Client", "+33612345670", "33612345670@s.whatsapp.net", 3, {"allowed": False}),
    ("empty", "New Lead", "+12015550188", "12015550188@s.whatsapp.net", 0, {"responsible": 4}),
    ("hebrew", "דוד לוי", "+972502345678", "972502345678@s.whatsapp.net", 2, {"labels": ["support"]}),
    ("apostrophe", "Mike O'Brien", "+12025550143", "12025550143@s.whatsapp.net", 1, {"gpt": True}),
)


class SpecialBuilder:
    """Build the special chats and their messages for one workspace's time window."""

    def __init__(
        self, params: WorkspaceParams, tz: ZoneInfo, start_ts: int, end_ts: int, accounts: list[Account]
    ) -> None:
        self.tz, self.start_ts, self.end_ts, self.seed = tz, start_ts, end_ts, params.seed
        self.end_day = dt.datetime.fromtimestamp(end_ts, tz).date()
        self.rows: dict[str, list] = {name: [] for name in COLUMNS}
        self.texts: dict[int, str | None] = {}
        self.filenames: dict[int, str] = {}
        self.data: dict[int, dict] = {}
        self.keys = [spec[0] for spec in SPECIAL_CHATS]
        self._chats = [self._chat(i, spec, accounts) for i, spec in enumerate(SPECIAL_CHATS)]
        self._conversations()

    def chats(self) -> list[Chat]:
        return list(self._chats)

    def message_count(self) -> int:
        return len(self.rows["ts"])

    def message_rows(self) -> dict[str, list]:
        return self.rows

    def at(self, days_ago: int, hour: int, minute: int = 0) -> int:
        """Return the epoch of a local wall-clock time `days_ago` days before the window's last day."""
        day = self.end_day - dt.timedelta(days=days_ago)
        return int(dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz).timestamp())

    def _chat(self, index: int, spec: tuple, accounts: list[Account]) -> Chat:
        key, name, phone, jid, slot, extra = spec
        account = slot if slot < len(accounts) else slot % len(accounts)
        created = self.start_ts - 86_400 * (40 + index)
        chat = Chat(
            index=index,
            id=0,
            names=[(created, name)],
            phone=phone,
            jid=jid,
            account=account,
            created_ts=created,
            **extra,
        )
        if key == "disconnected" and accounts[account].status != "disconnected":
            chat.allowed = True
        if key == "renamed":
            chat.names = [(created, phone), (self.at(10, 12), "Jonas"), (self.at(4, 9), name)]
        if key == "empty":
            chat.created_ts = self.end_ts - 3_600
        if chat.is_group:
            chat.members = [
                {"name": "Anna Kowalska", "phone": "+48601234567", "role": "admin", "chat_id": None},
                {"name": "João Silva", "phone": "+5511987654321", "role": "member", "chat_id": None},
                {"name": "", "phone": "+48790111222", "role": "member", "chat_id": None},
            ]
        return chat

    def link_members(self, chats: list[Chat]) -> None:
        """Point group members at their 1:1 chat on the same account, as `group_members[].chat_id` does."""
        by_phone = {(c.account, c.phone): c.id for c in chats if not c.is_group and c.phone}
        for chat in chats[: len(self._chats)]:
            for member in chat.members or ():
                member["chat_id"] = by_phone.get((chat.account, member["phone"]))

    def add(
        self,
        key: str,
        ts: int,
        *,
        from_me: bool = False,
        text: str | None = "",
        mtype: int = MT_WHATSAPP,
        status: int | None = None,
        attachment: tuple[str, int, str] | None = None,
        member: int = 0,
        data: dict | None = None,
    ) -> int:
        """Append one message to a special chat and return its index."""
        index = len(self.rows["ts"])
        row = {
            "chat": self.keys.index(key),
            "ts": ts,
            "delay": 1,
            "from_me": from_me,
            "mtype": mtype,
            "status": status if status is not None else (3 if from_me else 0),
            "origin": 1 if from_me else 0,
            "text_kind": content.TEXT_PLAIN,
            "member": member,
            "att_kind": -1,
            "att_size": 0,
        }
        if mtype == MT_NOTE:
            row["from_me"], row["origin"], row["status"] = True, 1, 1
        if attachment:
            ext, size, filename = attachment
            row["att_kind"], row["att_size"] = content.KIND_BY_EXT[ext], size
            self.filenames[index] = filename
        for name, value in row.items():
            self.rows[name].append(value)
        self.texts[index] = text
        if data:
            self.data[index] = data
        return index

    def _night(self) -> list[int]:
        """Return timestamps every 20 minutes from 22:30 to 04:30 over the window's DST night (or its last night)."""
        day = self.end_day - dt.timedelta(days=1)
        probe = self.end_day
        while dt.datetime.fromtimestamp(self.start_ts, self.tz).date() < probe:
            before = dt.datetime(probe.year, probe.month, probe.day, tzinfo=self.tz) - dt.timedelta(hours=12)
            after = dt.datetime(probe.year, probe.month, probe.day, 12, tzinfo=self.tz)
            if before.utcoffset() != after.utcoffset():
                day = probe - dt.timedelta(days=1)
                break
            probe -= dt.timedelta(days=1)
        first = int(dt.datetime(day.year, day.month, day.day, 22, 30, tzinfo=self.tz).timestamp())
        return [first + 1_200 * k for k in range(int(6 * 3_600 / 1_200) + 1)]

    def _conversations(self) -> None:
        add, at = self.add, self.at
        add("anna", at(12, 9, 5), text="Dzień dobry! Czy zamówienie jest gotowe?")
        add("anna", at(12, 9, 7), from_me=True, text="Tak, wysyłamy jutro 👍")
        add(
            "anna",
            at(12, 9, 8),
            from_me=True,
            text=None,
            attachment=("pdf", 184_321, "Faktura FV-2026-031 ż.pdf"),
        )
        add("anna", at(11, 14, 0), text="Call me please", mtype=MT_WHATSAPP)
        add(
            "anna",
            at(11, 14, 2),
            text=None,
            mtype=MT_CALL,
            status=6,
            data={"duration": None, "is_video": False},
        )
        add(
            "anna",
            at(11, 14, 5),
            from_me=True,
            text=None,
            mtype=MT_CALL,
            status=5,
            data={"duration": 312, "is_video": False},
        )
        add(
            "anna",
            at(11, 14, 20),
            mtype=MT_NOTE,
            text="Client asked for a 5% discount; approved by Olivia.",
            data={"is_private": True},
        )
        add("anna", at(10, 18, 0), text="😀🎉👨‍👩‍👧❤️")
        add("anna", at(10, 18, 1), text="")
        add("anna", at(10, 18, 2), text="مرحبا، هل الطلب جاهز؟ שלום!")
        long_text = ("Szczegóły zamówienia: " + "pozycja, ilość, cena; " * 4000)[:VERY_LONG_CHARS]
        add("anna", at(9, 8, 0), text=long_text)
        for n, ext in enumerate(("jpg", "png", "webp", "docx", "xlsx", "ogg", "vcf", "txt", "zip")):
            kind = content.ATTACHMENT_KINDS[content.KIND_BY_EXT[ext]]
            add(
                "anna",
                at(8, 10, n),
                from_me=n % 2 == 0,
                text=None if n % 3 else f"File {n}",
                attachment=(
                    ext,
                    kind.min_size + 977 * n,
                    content.attachment_filename(content.KIND_BY_EXT[ext], n, "20260101"),
                ),
            )
        add(
            "anna",
            at(7, 16, 30),
            text="The promo video",
            attachment=("mp4", BIG_ATTACHMENT_BYTES, "VID-20260329-WA0007.mp4"),
        )
        add("anna", at(1, 11, 0), from_me=True, text="Dziękujemy za zakupy!")
        add("anna_again", at(6, 12, 0), text="Hi Tom, it's Anna again from my second inbox")
        add("anna_again", at(6, 12, 3), from_me=True, text="Hi Anna!")
        add("br_ninth", at(5, 13, 0), text="Olá, tudo bem?")
        add("br_ninth", at(5, 13, 4), from_me=True, text="Tudo ótimo, obrigado!")
        add("br_legacy", at(5, 15, 0), text="Bom dia, preciso de um orçamento")
        add("mx", at(4, 17, 0), text="¿Cuál es el precio final?")
        add("mx", at(4, 17, 9), from_me=True, text="Le envío la cotización hoy.")
        add("ar", at(3, 10, 0), text="Che, ¿llegó el pedido?")
        add("group", at(6, 9, 0), text="Order for next week: 40 boxes", member=0)
        add("group", at(6, 9, 5), text="Same for us, 25 boxes", member=1)
        add("group", at(6, 9, 9), from_me=True, text="Noted, thank you both!")
        add("group_again", at(6, 9, 0), text="Order for next week: 40 boxes", member=0)
        add("broadcast", at(9, 10, 0), from_me=True, text="Spring promo: -20% on all items 🌷")
        add("newsletter", at(8, 7, 0), text="ACME News: new warehouse opening in April.")
        add("lid", at(5, 20, 0), text="Hello from a private number")
        add("zero", at(7, 3, 0), text="System message")
        add("unnamed", at(2, 12, 0), text="Hi, who is this?")
        add("renamed", at(13, 9, 0), text="Hallo, ich habe Ihre Nummer von der Messe")
        add("renamed", at(8, 9, 0), text="Jonas hier, wegen des Angebots")
        add("renamed", at(2, 9, 0), text="Grüße von Jonas Becker, ACME GmbH")
        for n, ts in enumerate(self._night()):
            add("night", ts, from_me=n % 3 == 0, text=f"Truck position update #{n + 1}")
        add("closed", at(15, 8, 0), text="We no longer supply this product.")
        add("disconnected", at(16, 8, 0), text="Please call me back.")
        add("hebrew", at(3, 11, 0), text="שלום, מתי המשלוח מגיע?")
        add("hebrew", at(3, 11, 30), from_me=True, text="מחר בבוקר")
        add("apostrophe", at(2, 15, 0), text="It's Mike — \"quotes\" and 'apostrophes' test")
