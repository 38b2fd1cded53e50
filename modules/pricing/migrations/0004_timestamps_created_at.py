from django.db import migrations


class Migration(migrations.Migration):
    """Name the timestamps ``created_at``/``updated_at``, as in every module (columns renamed, no data moved)."""

    dependencies = [
        ("pricing", "0003_redemption_customer_keys"),
    ]

    operations = [
        migrations.RenameField(model_name="price", old_name="updated", new_name="updated_at"),
        migrations.RenameField(model_name="promotion", old_name="created", new_name="created_at"),
        migrations.RenameField(model_name="voucher", old_name="created", new_name="created_at"),
        migrations.RenameField(model_name="voucherredemption", old_name="created", new_name="created_at"),
        migrations.RenameField(model_name="voucherredemption", old_name="updated", new_name="updated_at"),
        migrations.AlterModelOptions(name="voucherredemption", options={"ordering": ("-created_at", "-id")}),
    ]
