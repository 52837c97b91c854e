from django.db import migrations, models


class Migration(migrations.Migration):
    """Idempotency keys belong to a caller. Records kept from before have no caller (an empty
    scope): no request matches them, so they replay nothing and age out with the rest."""

    dependencies = [
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="idempotencyrecord",
            name="idempotency_unique_key",
        ),
        migrations.AddField(
            model_name="idempotencyrecord",
            name="scope",
            field=models.CharField(default="", max_length=40),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="idempotencyrecord",
            constraint=models.UniqueConstraint(
                fields=("tenant", "scope", "key"), name="idempotency_unique_scoped_key"
            ),
        ),
    ]
