"""Emporium: an event-driven, multi-vendor commerce backend."""

__version__ = "0.1.0"
