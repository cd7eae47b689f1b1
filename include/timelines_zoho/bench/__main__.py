"""`python -m timelines_zoho.bench`: see runner.py."""

from __future__ import annotations

from timelines_zoho.bench.runner import main

if __name__ == "__main__":
    main()
