"""Adapters to other people's schedulers (optional extras; nothing in the package imports them)."""
