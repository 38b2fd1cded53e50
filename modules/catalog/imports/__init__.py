"""Import products and variants from CSV: validate the whole file, then write all of it or nothing.

Columns: ``sku,product_slug,product_name,variant_name,category,description,status``.
Rows are upserted by SKU (the variant) and by product slug (the product);
``category`` is a slash path of category slugs, created when missing. A
second import of the same file finds nothing to change and writes nothing,
so no ``updated_at`` timestamp moves. Used by the ``import_catalog`` command
and the admin's import page, through ``csv_import.catalog_import_csv``.

- ``rows``: reading the file and what is wrong with a row on its own;
- ``validation``: what the database holds for the file's keys, and the checks across rows and against it;
- ``bulk``: the few SQL statements per 300 rows that write them;
- ``writes``: categories, products, variants and statuses, with their events;
- ``csv_import``: the whole import in one transaction (and the dry run).

Nothing is re-exported here: import each name from the file that defines it.
"""
