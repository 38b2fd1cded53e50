"""Writes of checkout, one file per concern: carts, attempts, completion, orders, housekeeping.

Nothing is re-exported here: import each function from the file that defines it.
"""
