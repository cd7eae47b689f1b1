"""Event-driven runs: the inbox trigger fires an asset event, and a run syncs only the chats with new entries."""
