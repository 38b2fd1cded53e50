"""The checkout module."""
