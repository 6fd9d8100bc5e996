"""Shared kernel: value objects, database, event log, jobs and HTTP plumbing. Imports no context."""
