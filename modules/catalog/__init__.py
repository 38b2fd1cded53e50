"""The catalog module."""
