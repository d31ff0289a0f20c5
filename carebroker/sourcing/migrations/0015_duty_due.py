"""When the worker's waiting-list and after-award duties next have work for each package,
stored so a sweep reads only the packages due (sourcing/duty_due.py), with their indexes.
Existing rows get NOT_WORKED_OUT here and are worked out by 0016 (its own transaction: on
PostgreSQL an index cannot be built in a transaction that has updated the table's rows)."""

import datetime

from django.db import migrations, models

NOT_WORKED_OUT = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


class Migration(migrations.Migration):
    dependencies = [("sourcing", "0014_waiting_from")]

    operations = [
        migrations.AddField(
            model_name="package",
            name="chase_due",
            field=models.DateTimeField(
                blank=True, db_index=True, default=NOT_WORKED_OUT, editable=False, null=True
            ),
        ),
        migrations.AddField(
            model_name="package",
            name="waiting_due",
            field=models.DateTimeField(
                blank=True, db_index=True, default=NOT_WORKED_OUT, editable=False, null=True
            ),
        ),
    ]
