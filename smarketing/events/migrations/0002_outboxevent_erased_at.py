from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxevent",
            name="erased_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
