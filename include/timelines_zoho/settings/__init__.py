"""Integration lifecycle: connect both services, configure, activate and deactivate (used by the UI, CLI and DAG)."""

from __future__ import annotations

from timelines_zoho.settings.errors import (
    ActivationFailed,
    NotOwner,
    OAuthRefused,
    PermissionDenied,
    SettingsError,
    SettingsLocked,
)
from timelines_zoho.settings.lifecycle import Actor, Lifecycle

__all__ = [
    "ActivationFailed",
    "Actor",
    "Lifecycle",
    "NotOwner",
    "OAuthRefused",
    "PermissionDenied",
    "SettingsError",
    "SettingsLocked",
]
