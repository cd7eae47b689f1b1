"""`python -m timelines_zoho_sandbox.bench`: see runner.py."""

from __future__ import annotations

from timelines_zoho_sandbox.bench.runner import main

if __name__ == "__main__":
    main()
