"""Sandbox mode: faithful local emulators of the TimelinesAI and Zoho CRM APIs."""
