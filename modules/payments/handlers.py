"""Subscribers of the payments module: none yet.

Payments is told what to do through its contract (checkout attaches, captures
and releases); it publishes what happened (``contracts.payments`` events).
"""
