from django.db import migrations, models


class Migration(migrations.Migration):
    """Name the timestamps ``created_at``/``updated_at``, as in every module (columns renamed, no data moved).

    The index on (status, created) follows its column in the database, so
    only the migration state learns its new field; its name stays.
    """

    dependencies = [
        ("catalog", "0003_variant_active_product"),
    ]

    operations = [
        migrations.RenameField(model_name="product", old_name="created", new_name="created_at"),
        migrations.RenameField(model_name="product", old_name="updated", new_name="updated_at"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="product", name="catalog_product_status_created"),
                migrations.AddIndex(
                    model_name="product",
                    index=models.Index(fields=["status", "created_at"], name="catalog_product_status_created"),
                ),
            ],
        ),
    ]
