"""TimelinesAI Public API emulator: deterministic workspace, HTTP app, admin API and its client."""
