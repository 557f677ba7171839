"""The operational database: accounts, sessions, enterprises, API keys (written only by the API and its CLI)."""
