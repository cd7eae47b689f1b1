"""Zoho CRM API v8 emulator: accounts servers and API domains of every data centre, admin API, HTML view."""
