"""Run one sync in this process and SIGKILL it at the N-th Zoho call made during load (a real, unclean death).

Usage: crash_child.py RUN_KEY WINDOW_JSON ZOHO_ROOT KILL_AFTER WHEN MODE
WHEN is `before` (die before the N-th call leaves) or `after` (die after its answer arrives, before we record it).
MODE `count` runs to the end and prints the number of Zoho calls load made, as JSON.
The environment carries the connections, the state URL and the staging dir, as Airflow's worker would.
"""

from __future__ import annotations

import json
import os
import signal
import sys

import requests


def arm(zoho_root: str, kill_after: int, when: str) -> dict[str, int]:
    """Wrap every HTTP send so the process can count Zoho calls and die at the chosen one."""
    counter = {"calls": 0, "armed": 0}
    real_send = requests.Session.send

    def send(self: requests.Session, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
        is_zoho = counter["armed"] and str(request.url).startswith(zoho_root)
        if is_zoho:
            counter["calls"] += 1
            if counter["calls"] == kill_after and when == "before":
                os.kill(os.getpid(), signal.SIGKILL)
        response = real_send(self, request, **kwargs)
        if is_zoho and counter["calls"] == kill_after and when == "after":
            os.kill(os.getpid(), signal.SIGKILL)
        return response

    requests.Session.send = send  # type: ignore[method-assign]
    return counter


def main(run_key: str, window: str, zoho_root: str, kill_after: str, when: str, mode: str) -> None:
    from timelines_zoho.sync import runner, summary

    counter = arm(zoho_root, int(kill_after), when)
    meta = runner.start_and_extract(run_key, json.loads(window), None, None)
    shards = runner.transform(meta)
    runner.prepare_zoho(meta)
    counter["armed"] = 1
    for step in (runner.load_contacts, runner.load_notes, runner.load_attachments):
        for shard in shards:
            step(meta, shard)
    result = summary.finish(runner.open_store(), meta)
    print(json.dumps({"load_calls": counter["calls"], "counts": result["counts"]} if mode == "count"
                     else result["counts"]))


if __name__ == "__main__":
    main(*sys.argv[1:])
