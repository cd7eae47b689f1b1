"""Errors of the settings lifecycle; each carries a message a user can act on."""

from __future__ import annotations


class SettingsError(Exception):
    """A lifecycle step was refused; `str(error)` is the message to show."""

    status = 400

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class PermissionDenied(SettingsError):
    """The actor is not an Airflow admin."""

    status = 403


class NotOwner(SettingsError):
    """The TimelinesAI token does not belong to the workspace Owner."""

    status = 403


class SettingsLocked(SettingsError):
    """The integration is active, so its settings are read-only."""

    status = 409


class OAuthRefused(SettingsError):
    """The Zoho authorization callback or grant code was refused."""


class ActivationFailed(SettingsError):
    """Zoho refused a step of the activation; nothing was activated."""

    def __init__(self, message: str, hint: str = "", code: str = "", details: dict | None = None) -> None:
        super().__init__(message, hint)
        self.code = code
        self.details = details or {}
