"""Bounded contexts: each owns its tables and talks to others through its facade and events."""
