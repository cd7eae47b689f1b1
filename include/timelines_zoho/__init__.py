"""WhatsApp conversations from TimelinesAI into Zoho CRM, orchestrated by Apache Airflow."""

__version__ = "0.1.0"
