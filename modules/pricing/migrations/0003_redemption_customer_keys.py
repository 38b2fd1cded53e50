from django.db import migrations


def keys_normalize(apps, schema_editor):
    """Store every redemption's email as the customer key the per-customer limit now counts by."""
    from modules.pricing.emails import customer_email_key

    VoucherRedemption = apps.get_model("pricing", "VoucherRedemption")
    db = schema_editor.connection.alias
    for redemption in VoucherRedemption.objects.using(db).only("pk", "email").iterator():
        key = customer_email_key(redemption.email) if redemption.email else ""
        if key != redemption.email:
            VoucherRedemption.objects.using(db).filter(pk=redemption.pk).update(email=key)


class Migration(migrations.Migration):
    dependencies = [("pricing", "0002_window_mark")]

    operations = [migrations.RunPython(keys_normalize, migrations.RunPython.noop)]
