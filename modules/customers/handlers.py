"""Subscribers of the customers module: none yet.

Customers is asked through its contract (who holds this token, which saved
address) and publishes what happened to accounts (``contracts.customers`` events).
"""
