"""The TimelinesAI webhook receiver: a small service of its own that lands deliveries in the inbox."""

from __future__ import annotations

from timelines_zoho.webhooks.receiver import create_receiver_app
from timelines_zoho.webhooks.secret import ReceiverSecret

__all__ = ["ReceiverSecret", "create_receiver_app"]
