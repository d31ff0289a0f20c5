"""The working time to award and to answer, stored for the dashboard (sourcing/working_time.py),
and worked out for every existing row from its own times by its council's calendar."""

from django.db import migrations, models


def fill(apps, schema_editor):  # noqa: ANN001, ANN201
    from carebroker.sourcing.working_time import refill

    refill(
        fix=True,
        council_model=apps.get_model("councils", "Council"),
        package_model=apps.get_model("sourcing", "Package"),
        request_model=apps.get_model("sourcing", "SourcingRequest"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("councils", "0004_enablement_team_email"),
        ("sourcing", "0012_timeline_partitioned_by_month"),
    ]

    operations = [
        migrations.AddField(
            model_name="package",
            name="working_time_to_award",
            field=models.DurationField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="sourcingrequest",
            name="working_time_to_answer",
            field=models.DurationField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
