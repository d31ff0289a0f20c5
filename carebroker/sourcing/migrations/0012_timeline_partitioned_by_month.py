"""The timeline partitioned by month on PostgreSQL (docs/deployment.md, Partitioning); on
SQLite this migration does nothing.

`sourcing_timelineevent` becomes a table partitioned by range on `at`: a partition per UTC
month from its oldest event to three months ahead, and a default partition for any time
outside them (lib/partitioning.py). What PostgreSQL requires, and what was chosen:

- the primary key must include the partition key: it is (id, at) in the database; Django
  keeps `id` as the primary key (ids come from the one identity sequence, so they stay
  unique, and every lookup by id still finds one row);
- a foreign key to a partitioned table needs a unique constraint that includes the
  partition key: the webhook deliveries' key to their event (api.WebhookDelivery.event)
  holds the id alone, so its constraint is dropped in the database. Django's on_delete still
  deletes a package's deliveries with its events, and archiving a month moves the deliveries
  of its events with it (sourcing/partitions.py). Adding a column `at` to every delivery to
  keep a composite key was the alternative: more rows to change for a check nothing relies on.
- nothing unique besides the key, and the audit log does not log the timeline.

The migration locks the table and copies every row once: run it in a quiet moment (Essex's
600,000 events take seconds). It depends on api's migrations so that no later migration
makes a foreign key to the partitioned table.
"""

from django.db import migrations
from django.utils import timezone

from carebroker.lib import partitioning

TABLE, COLUMN = "sourcing_timelineevent", "at"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        partitioning.partition_by_month(cursor, TABLE, COLUMN, now=timezone.now())


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        partitioning.unpartition(cursor, TABLE)
    delivery = apps.get_model("api", "WebhookDelivery")
    field = delivery._meta.get_field("event")
    schema_editor.execute(
        schema_editor._create_fk_sql(delivery, field, "_fk_%(to_table)s_%(to_column)s")
    )


class Migration(migrations.Migration):
    dependencies = [("sourcing", "0011_list_indexes"), ("api", "0002_shared_cache_table")]
    operations = [migrations.RunPython(forward, backward)]
