from django.db import migrations, models
from django.utils import timezone


def mark_create(apps, schema_editor):
    # Windows that started or ended before pricing published them are history: check from now on.
    WindowMark = apps.get_model("pricing", "WindowMark")
    WindowMark.objects.using(schema_editor.connection.alias).get_or_create(
        name="price_list_windows", defaults={"checked_until": timezone.now()}
    )


class Migration(migrations.Migration):

    dependencies = [
        ("pricing", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="WindowMark",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=50, unique=True)),
                ("checked_until", models.DateTimeField()),
            ],
        ),
        migrations.RunPython(mark_create, migrations.RunPython.noop),
    ]
