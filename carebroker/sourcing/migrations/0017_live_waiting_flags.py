"""The list's counts read the live-waiting index alone (issue 14): its flags added to it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sourcing", "0016_duty_due_fill"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="package",
            name="package_live_waiting",
        ),
        migrations.AddIndex(
            model_name="package",
            index=models.Index(
                fields=[
                    "council",
                    "status",
                    "waiting_from",
                    "case_number",
                    "urgent",
                    "hospital_discharge",
                    "emergency",
                ],
                name="package_live_waiting_flags",
            ),
        ),
    ]
