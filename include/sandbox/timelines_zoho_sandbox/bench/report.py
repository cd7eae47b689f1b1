"""One table of the benchmark results, and a PNG chart of the ratios against their targets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

Cell = Callable[[dict[str, Any]], str]


def _zoho(w: dict[str, Any]) -> str:
    b = w["bounds"]["zoho"]
    return f"{w['ratios']['zoho_calls_vs_bound']:.2f} ({w['ours']['api']['zoho']['calls']}/{b['calls']})"


def _credits(w: dict[str, Any]) -> str:
    b = w["bounds"]["zoho"]
    return f"{w['ratios']['zoho_credits_vs_bound']:.2f} ({w['ours']['api']['zoho']['credits']}/{b['credits']})"


def _peer(name: str) -> Cell:
    key = "per_message_calls_vs_ours" if name == "per-message" else "per_chat_calls_vs_ours"

    def cell(w: dict[str, Any]) -> str:
        peer = w["peers"][name]
        sampled = "" if peer["scale"] == 1 else f", {peer['sampled_chats']} chats ×{peer['scale']:.0f}"
        return f"{w['ratios'][key]:.0f}× ({peer['calls']:,}{sampled})"

    return cell


def _timelines(w: dict[str, Any]) -> str:
    calls = w["ours"]["api"]["timelines"]["calls"]
    return f"{w['ratios']['timelines_calls_vs_bound']:.2f} ({calls:,}/{w['bounds']['timelines']:,})"


def _idle(w: dict[str, Any]) -> str:
    return f"{w['ratios']['idle_timelines_pages']} pages (bound {w['bounds']['timelines_idle']})"


def _wall(w: dict[str, Any]) -> str:
    if "wall" not in w:
        return "not run"
    wall = w["wall"]
    cpu = f", sync CPU {wall['cpu_seconds']:.0f} s" if "cpu_seconds" in wall else ""
    return f"{w['ratios']['wall_vs_bound']:.2f} ({wall['seconds']:.1f} s/{wall['bound_seconds']:.1f} s{cpu})"


ROWS: list[tuple[str, str, Cell]] = [
    ("Zoho calls vs lower bound", "≤ 1.1", _zoho),
    ("Zoho credits vs lower bound", "—", _credits),
    ("per-message peer calls vs ours", "≥ 30×", _peer("per-message")),
    ("per-chat peer calls vs ours", "—", _peer("per-chat")),
    ("TimelinesAI calls vs lower bound", "—", _timelines),
    ("idle hourly run, TimelinesAI", "O(1)", _idle),
    ("wall (150 ms, Zoho conc. 10) vs bound", "≤ 1.5", _wall),
]


def table(results: dict[str, Any]) -> str:
    """Render every figure as one Markdown table (workloads as columns), plus transform and DAG parse."""
    loads = results["workloads"]
    header = ["metric", "target", *[w["workload"] for w in loads]]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for label, target, cell in ROWS:
        cells = [w.get("error") or cell(w) for w in loads]
        lines.append(f"| {label} | {target} | " + " | ".join(cells) + " |")
    t, d = results["transform"], results["dag_parse"]
    pad = " | " * (len(loads) - 1)
    lines.append(f"| transform, {t['messages']:,} msgs (W2 size) | ≤ 5 s, ≤ 1 GiB | {t['seconds']} s, "
                 f"{t['messages_per_second'] or 0:,.0f} msgs/s, peak RSS {t['peak_rss_mib'] or 0:,.0f} MiB{pad} |")
    lines.append(f"| DAG file parse | ≤ 1 s | {d['seconds']} s{pad} |")
    return "\n".join(lines)


def chart(results: dict[str, Any], path: Path) -> None:
    """Draw each workload's ratios against their targets (log scale) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = [("zoho_calls_vs_bound", "Zoho calls\n/ bound", 1.1), ("timelines_calls_vs_bound",
               "TimelinesAI calls\n/ bound", None), ("wall_vs_bound", "wall\n/ bound", 1.5),
               ("per_chat_calls_vs_ours", "per-chat peer\n/ ours", None),
               ("per_message_calls_vs_ours", "per-message peer\n/ ours", 30)]
    loads = [w for w in results["workloads"] if "ratios" in w]
    fig, ax = plt.subplots(figsize=(9, 4.2))
    width = 0.8 / max(len(loads), 1)
    for n, w in enumerate(loads):
        values = [w["ratios"].get(key) or 0 for key, _, _ in metrics]
        ax.bar([i + n * width for i in range(len(metrics))], values, width, label=w["workload"])
    for i, (_, _, target) in enumerate(metrics):
        if target:
            ax.hlines(target, i - width / 2, i + width * len(loads), colors="black", linestyles="dashed")
    ax.set_yscale("log")
    ax.set_xticks([i + width * (len(loads) - 1) / 2 for i in range(len(metrics))], [m[1] for m in metrics])
    ax.set_ylabel("ratio (log scale); dashed: target")
    ax.set_title("timelines-zoho: measured vs lower bound, and peers vs ours")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
