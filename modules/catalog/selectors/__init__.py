"""Catalog reads, one file per concern; every function costs a constant number of queries whatever the rows.

- ``tree``: the category tree, and which slugs could name anything;
- ``variants``: variants by SKU as plain rows (the contract's ``variants_get``);
- ``search``: storefront visibility and search;
- ``cards``: products as the storefront shows them, a page at a time;
- ``offers``: prices and availability from pricing and inventory, and the price ordering.

Nothing is re-exported here: import each name from the file that defines it.
"""
