"""Contracts over HTTP: serve a local module's contract, or call a module that runs elsewhere.

Both ends speak the contract's own types through ``contracts.codec``; the
client implements the same Protocol as the local facade and passes the same
conformance suite (``tests/contracts/``).
"""
