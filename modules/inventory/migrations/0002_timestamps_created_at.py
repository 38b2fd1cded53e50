from django.db import migrations


class Migration(migrations.Migration):
    """Name the timestamps ``created_at``/``updated_at``, as in every module (columns renamed, no data moved)."""

    dependencies = [
        ("inventory", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="stockmovement", old_name="created", new_name="created_at"),
        migrations.RenameField(model_name="reservation", old_name="created", new_name="created_at"),
        migrations.RenameField(model_name="reservation", old_name="updated", new_name="updated_at"),
        migrations.AlterModelOptions(name="stockmovement", options={"ordering": ["-created_at", "-id"]}),
        migrations.AlterModelOptions(name="reservation", options={"ordering": ["-created_at", "-id"]}),
    ]
