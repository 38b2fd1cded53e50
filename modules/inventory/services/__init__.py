"""Inventory writes, one file per rule; import each name from the file that defines it (nothing is re-exported).

- ``locking``: the retrying transaction and the global stock lock order;
- ``validation``: limits and input checks shared by every write;
- ``allocation``: which warehouse gives what (pure, no database);
- ``stock_events``: the OutOfStock / BackInStock / LowStock rule;
- ``reservations``: hold, release and expire;
- ``sales``: commit a hold as sales, return a cancelled order's stock;
- ``movements``: receipts and adjustments by hand;
- ``imports``: setting on-hand levels from a CSV.
"""
