"""`python -m timelines_zoho.webhooks serve` runs the receiver; `rotate-secret` makes a new URL secret."""

from __future__ import annotations

import argparse
import datetime as dt

from timelines_zoho.state import StateStore
from timelines_zoho.webhooks.receiver import PATH
from timelines_zoho.webhooks.secret import GRACE, ReceiverSecret


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m timelines_zoho.webhooks")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the receiver (state store from TIMELINES_ZOHO_STATE_URL)")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=8780)
    serve.add_argument("--workers", type=int, default=1)
    rotate = commands.add_parser("rotate-secret", help="make a new URL secret; the old one works for --grace-hours")
    rotate.add_argument("--grace-hours", type=float, default=GRACE.total_seconds() / 3600)
    args = parser.parse_args(argv)
    store = StateStore()
    store.migrate()
    if args.command == "rotate-secret":
        secret = ReceiverSecret(store).rotate(dt.timedelta(hours=args.grace_hours))
        # Printed once for the operator to put in the subscriptions' URL; it is stored only as a hash.
        print(PATH.format(secret=secret))
        return
    import uvicorn

    # No access log: the secret is part of every request path.
    uvicorn.run(
        "timelines_zoho.webhooks.receiver:create_receiver_app", factory=True, host=args.host, port=args.port,
        workers=args.workers, access_log=False, log_level="info",
    )


if __name__ == "__main__":
    main()
