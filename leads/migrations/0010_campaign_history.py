from django.db import migrations, models

# Each lead's current campaign becomes the first entry of its campaign history, at the time
# the lead was created (the campaign it came in with, as far as anyone knows). One statement:
# leads that a web form already credited to that campaign keep their touch instead.
BACKFILL = """
INSERT INTO leads_campaigntouch (tenant_id, lead_id, campaign_id, source, at)
SELECT l.tenant_id, l.id, l.campaign_id, 'backfill', l.created_at
FROM leads_lead l
WHERE l.campaign_id IS NOT NULL AND l.merged_into_id IS NULL
  AND NOT EXISTS (SELECT 1 FROM leads_campaigntouch t
                  WHERE t.lead_id = l.id AND t.campaign_id = l.campaign_id)
"""


def backfill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            # Row-level security is forced on tenant tables: the backfill covers all tenants.
            cursor.execute("SELECT set_config('app.cross_tenant', 'on', true)")
        cursor.execute(BACKFILL)


def unbackfill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('app.cross_tenant', 'on', true)")
        cursor.execute("DELETE FROM leads_campaigntouch WHERE source = 'backfill'")


class Migration(migrations.Migration):

    dependencies = [
        ('leads', '0009_transition_step_started_at'),
    ]

    operations = [
        migrations.AlterField(
            model_name='campaigntouch',
            name='source',
            field=models.CharField(choices=[('ingest', 'Created or updated naming the campaign (API, bulk, lead form)'), ('import', 'CSV import naming the campaign'), ('form', 'Web form of the campaign'), ('utm', "Web form sent from a link tagged with the campaign's slug"), ('event', 'Engagement event naming the campaign'), ('edit', 'Campaign set on the lead by hand'), ('backfill', "The lead's campaign when the history began")], max_length=20),
        ),
        migrations.RunPython(backfill, unbackfill),
    ]
