"""Airflow's own authentication and authorisation for the plugin app (plugin endpoints are open by default)."""

from __future__ import annotations

from typing import Annotated

from airflow.api_fastapi.app import get_auth_manager
from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.core_api.security import get_user
from fastapi import Depends, HTTPException, status

from timelines_zoho.settings import Actor

RESOURCE_NAME = "TimelinesAI to Zoho CRM"


def is_admin(user: BaseUser) -> bool:
    """Tell whether the user is an Airflow admin.

    The simple auth manager treats every custom view as read-only and has no finer permission an admin alone
    holds, so its role is read directly; other auth managers decide through the custom-view permission.
    """
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    if isinstance(user, SimpleAuthManagerUser):
        return (user.role or "").upper() == "ADMIN"
    manager = get_auth_manager()
    return manager.is_authorized_custom_view(method="PUT", resource_name=RESOURCE_NAME, user=user) and \
        manager.is_authorized_connection(method="PUT", user=user)


def viewer(user: Annotated[BaseUser, Depends(get_user)]) -> BaseUser:
    """Require a logged-in user allowed to see the page (any Airflow role)."""
    if not get_auth_manager().is_authorized_custom_view(method="GET", resource_name=RESOURCE_NAME, user=user):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "You may not view the WhatsApp → Zoho settings.")
    return user


def admin(user: Annotated[BaseUser, Depends(viewer)]) -> Actor:
    """Require an Airflow admin and return them as the lifecycle's actor."""
    if not is_admin(user):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only Airflow admins may change the WhatsApp → Zoho integration.")
    return Actor(user.get_name(), is_admin=True)


Viewer = Annotated[BaseUser, Depends(viewer)]
Admin = Annotated[Actor, Depends(admin)]
