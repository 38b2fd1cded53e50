"""PostgreSQL indexes that keep storefront search flat as the catalog grows (nothing on other databases).

Search is a case-insensitive substring match (``icontains``: ``UPPER(col::text) LIKE UPPER('%term%')``);
trigram GIN indexes on exactly those expressions serve it, so a search costs what it finds, not the
size of the catalog. ``pg_trgm`` ships with PostgreSQL (contrib); creating it needs the CREATE privilege
on the database.
"""

from django.db import migrations

INDEXES = (
    ("catalog_product_name_trgm", "catalog_product", "UPPER((name)::text) gin_trgm_ops", ""),
    ("catalog_product_description_trgm", "catalog_product", "UPPER((description)::text) gin_trgm_ops", ""),
    ("catalog_variant_active_sku_trgm", "catalog_variant", "UPPER((sku)::text) gin_trgm_ops", "WHERE active"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expression, where in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression}) {where}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, *_ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
