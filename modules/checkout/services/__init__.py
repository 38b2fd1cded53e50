"""Writes of checkout, one file per concern: carts, attempts, completion (the saga), placement (its steps), orders, housekeeping.

Nothing is re-exported here: import each function from the file that defines it.
"""
