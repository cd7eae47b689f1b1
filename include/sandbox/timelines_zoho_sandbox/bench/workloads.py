"""The benchmark workloads W0, W1 and W2: deterministic sandbox workspaces and the Zoho data beside them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from timelines_zoho_sandbox.timelinesai.generator import WorkspaceParams

TZ = "Europe/Warsaw"
END = date(2026, 3, 31)  # the workspace's last day


@dataclass(frozen=True)
class Workload:
    """A seeded workspace, the Zoho contacts beside it, and the days one measured run syncs."""

    name: str
    params: WorkspaceParams
    zoho_contacts: int
    match_share: float  # share of the Zoho contacts that carry a WhatsApp chat's number (capped by the chats)
    sync_days: int = 1  # the run syncs the workspace's last `sync_days` days
    peer_sample: int = 0  # chats the peer models replay (0: all); their calls per item are scaled to the rest
    notes: list[str] = field(default_factory=list)

    @property
    def index_rows(self) -> int:
        """Return the records in Zoho when the run starts: seeded contacts, their duplicates, the test contact."""
        return self.zoho_contacts + 2 + 1

    def window(self) -> tuple[datetime, datetime]:
        """Return the measured run's window: whole local days ending with the workspace's last day."""
        zone = ZoneInfo(TZ)
        end_day = date.fromisoformat(self.params.end)
        start = datetime.combine(end_day - timedelta(days=self.sync_days - 1), time(0), tzinfo=zone)
        return start, datetime.combine(end_day + timedelta(days=1), time(0), tzinfo=zone)


# Small, for CI; 150 chats fill three pages, so an idle run that lists the whole workspace shows.
W0 = Workload(
    "W0", WorkspaceParams(seed=7, chats=150, messages=1_500, days=2, end=END.isoformat(), timezone=TZ),
    zoho_contacts=80, match_share=0.5, sync_days=2,
)
# One busy day: 8 % of generated chats are groups, so 2,200 chats give about 2,000 direct ones and 200 groups.
# A mean attachment of about 200 KB needs the generator's size scale at 0.8. "30 % of 50,000 contacts match"
# cannot hold with 2,000 numbers, so 30 % of the direct chats' numbers are stored in Zoho among 50,000 contacts.
W1 = Workload(
    "W1", WorkspaceParams(seed=11, chats=2_200, messages=40_000, days=1, end=END.isoformat(), timezone=TZ,
                          attachment_share=0.02, attachment_scale=0.8),
    zoho_contacts=50_000, match_share=0.3 * 2_000 / 50_000, peer_sample=200,
)
# Scale: the full 30-day backfill is not run (see the report); the run syncs the last day over the whole
# workspace and Zoho index, which is what an hourly or daily run does at this size.
W2 = Workload(
    "W2", WorkspaceParams(seed=13, chats=50_000, messages=1_000_000, days=30, end=END.isoformat(), timezone=TZ,
                          attachment_share=0.02, attachment_scale=0.8),
    zoho_contacts=100_000, match_share=0.3 * 20_000 / 100_000, peer_sample=200,
)
WORKLOADS = {w.name: w for w in (W0, W1, W2)}
