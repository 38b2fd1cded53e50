"""Pricing reads, one file per concern; nothing is stored by any of them.

- ``prices``: current prices (base prices under valid price lists) and the promotions valid now;
- ``vouchers``: a voucher by code, and whether it is usable;
- ``quotes``: lines priced with promotions and a voucher (``quote_compute``).

Nothing is re-exported here: import each name from the file that defines it.
"""
