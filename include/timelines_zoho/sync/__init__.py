"""The sync: extract from TimelinesAI, transform with pandas, load into Zoho CRM exactly once."""
