import hashlib

from django.db import migrations


def tokens_hash(apps, schema_editor):
    """Replace every stored access token by its SHA-256: the tokens customers hold keep working."""
    Order = apps.get_model("checkout", "Order")
    db = schema_editor.connection.alias
    for order in Order.objects.using(db).only("pk", "access_token_hash").iterator():
        digest = hashlib.sha256(order.access_token_hash.encode()).hexdigest()
        Order.objects.using(db).filter(pk=order.pk).update(access_token_hash=digest)


class Migration(migrations.Migration):
    dependencies = [("checkout", "0002_attempt_owner_payment_generation")]

    operations = [
        migrations.RenameField("order", "access_token", "access_token_hash"),
        migrations.RunPython(tokens_hash, migrations.RunPython.noop),
    ]
