"""`timelines-zoho`: the settings lifecycle without a browser (show, set, activate, deactivate, connect-*).

Exit codes: 0 done (the JSON report on stdout); 1 refused (the reason and what to do on stderr); 2 bad command
line; 3 a service could not be reached or gave no readable answer (one line naming the host, never a path).
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import Any
from urllib.parse import urlsplit

REFUSED, USAGE, UNREACHABLE = 1, 2, 3  # USAGE is argparse's own exit code

SETTING_OPTIONS = ("phone_field", "name_field", "chat_link_field", "lead_source_field", "timezone")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="timelines-zoho", description=__doc__)
    parser.add_argument("--zoho-conn-id", default="zoho_crm_default")
    parser.add_argument("--timelines-conn-id", default="timelines_ai_default")
    commands = parser.add_subparsers(dest="command", required=True)

    show = commands.add_parser("show", help="print connections, settings and the recent audit log")
    show.add_argument("--options", action="store_true", help="also list destinations and field choices")

    for name, text in (("set", "save inactive settings (a new module clears the other fields)"),
                       ("activate", "validate, create the test contact and lock the settings")):
        command = commands.add_parser(name, help=text)
        command.add_argument("--module")
        for option in SETTING_OPTIONS:
            command.add_argument(f"--{option.replace('_', '-')}")
        command.add_argument("--keep-zoho-names", action=argparse.BooleanOptionalAction,
                             help="keep a name edited in Zoho over a WhatsApp rename (default: rename)")

    commands.add_parser("deactivate", help="unlock the settings; the DAG stops syncing")

    zoho = commands.add_parser("connect-zoho", help="connect with a self-client grant code")
    zoho.add_argument("--grant-code", required=True)
    zoho.add_argument("--client-id", default=os.environ.get("ZOHO_CLIENT_ID", ""))
    zoho.add_argument("--client-secret", default=os.environ.get("ZOHO_CLIENT_SECRET", ""),
                      help="default: $ZOHO_CLIENT_SECRET, else the stored one")
    zoho.add_argument("--data-centre", default="us", help="us eu in au jp ca sa cn, or custom")
    zoho.add_argument("--accounts-url")
    zoho.add_argument("--api-domain")

    timelines = commands.add_parser("connect-timelines", help="store the workspace Owner's API token")
    timelines.add_argument("--token", default=os.environ.get("TIMELINES_AI_TOKEN", ""),
                           help="default: $TIMELINES_AI_TOKEN")
    timelines.add_argument("--base-url")
    return parser


def _draft(lifecycle: Any, args: argparse.Namespace) -> Any:
    """Apply the command-line options to the saved settings, clearing the rest when the module changes."""
    draft = replace(lifecycle.settings(), active=False)
    if args.module:
        draft = lifecycle.change_destination(draft, args.module)
    given = {name: getattr(args, name) for name in SETTING_OPTIONS if getattr(args, name)}
    if args.keep_zoho_names is not None:
        given["keep_zoho_names"] = args.keep_zoho_names
    return lifecycle.with_defaults(replace(draft, **given))


def _show(lifecycle: Any, with_options: bool) -> dict[str, Any]:
    workspace = lifecycle.workspace()
    report: dict[str, Any] = {
        "timelines": asdict(workspace) if workspace else None,
        "zoho": lifecycle.zoho_status(),
        "settings": asdict(lifecycle.settings()),
        "audit": lifecycle.audit_log(10),
    }
    if with_options:
        destinations = lifecycle.destinations()
        report["destinations"] = asdict(destinations)
        module = lifecycle.settings().module
        if module:
            report["field_options"] = asdict(lifecycle.field_options(module))
    return report


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Execute one parsed command and return what it reports; lifecycle errors propagate."""
    from timelines_zoho.settings import Actor, Lifecycle
    from timelines_zoho.settings.oauth import ZohoClient

    # Hooks then read connections from the metadata DB, exactly as `airflow connections test` arranges it.
    os.environ.setdefault("_AIRFLOW_PROCESS_CONTEXT", "server")
    lifecycle = Lifecycle(zoho_conn_id=args.zoho_conn_id, timelines_conn_id=args.timelines_conn_id)
    lifecycle.store.migrate()
    # Whoever can run this command can already edit the Airflow metadata DB, i.e. is an admin.
    actor = Actor(f"cli:{getpass.getuser()}", is_admin=True)
    if args.command == "show":
        return _show(lifecycle, args.options)
    if args.command == "set":
        return {"settings": asdict(lifecycle.save_draft(actor, _draft(lifecycle, args)))}
    if args.command == "activate":
        return {"settings": asdict(lifecycle.activate(actor, _draft(lifecycle, args)))}
    if args.command == "deactivate":
        return {"settings": asdict(lifecycle.deactivate(actor))}
    if args.command == "connect-zoho":
        client = ZohoClient(args.client_id, args.client_secret, args.data_centre, args.accounts_url, args.api_domain)
        user = lifecycle.connect_zoho_grant_code(actor, client, args.grant_code)
        return {"zoho": lifecycle.zoho_status(), "connected_as": user.get("email")}
    if not args.token:
        raise SystemExit("connect-timelines needs --token or $TIMELINES_AI_TOKEN")
    return {"timelines": asdict(lifecycle.connect_timelines(actor, args.token, args.base_url))}


def _host(error: BaseException) -> str:
    """Return scheme://host:port of the request that failed (never its path or query, which may be signed)."""
    request = getattr(error, "request", None)
    parts = urlsplit(getattr(request, "url", None) or "")
    if not parts.hostname:
        return "the service"
    return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command, print JSON on success, else one clear reason on stderr with its exit code."""
    import requests

    from timelines_zoho.hooks.errors import (
        TimelinesAIError,
        UnreadableResponse,
        WriteOutcomeUnknown,
        ZohoAPIError,
    )
    from timelines_zoho.settings import SettingsError

    args = _parser().parse_args(argv)
    # Alembic announces its dialect ("Context impl …", "Will assume …") on every migrate: noise for a command.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        # Airflow logs to stdout; keep stdout for the JSON report alone.
        with contextlib.redirect_stdout(sys.stderr):
            report = run(args)
    except SettingsError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"what to do: {exc.hint}", file=sys.stderr)
        return REFUSED
    except (ZohoAPIError, TimelinesAIError) as exc:
        print(f"error: the service refused the call: {exc}", file=sys.stderr)
        return REFUSED
    except (requests.ConnectionError, requests.Timeout) as exc:
        print(f"error: cannot reach {_host(exc)} ({type(exc).__name__}); check the URL and that it is running "
              f"(exit {UNREACHABLE})", file=sys.stderr)
        return UNREACHABLE
    except (WriteOutcomeUnknown, UnreadableResponse) as exc:
        print(f"error: {exc} (exit {UNREACHABLE})", file=sys.stderr)
        return UNREACHABLE
    print(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
