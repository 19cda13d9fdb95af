"""Sync between a station's local cache and the central database (issue 9)."""
