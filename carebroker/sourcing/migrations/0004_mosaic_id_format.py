"""Mosaic IDs get a format (carebroker/lib/mosaic.py, issue 12 finding 4): packages stored
with another ID ("a/b" broke every page linking to them) are repaired to the nearest valid
ID, still unique in their council, and each change is printed for the council to note."""

from django.db import migrations, models

import carebroker.sourcing.models
from carebroker.lib.mosaic import MAX_LENGTH, mosaic_id_problem, repaired_mosaic_id


def repair_mosaic_ids(apps, schema_editor):
    Package = apps.get_model("sourcing", "Package")
    for package in Package.objects.select_related("council").order_by("pk"):
        if mosaic_id_problem(package.case_number) is None:
            continue
        base = repaired_mosaic_id(package.case_number)
        taken = set(
            Package.objects.filter(council_id=package.council_id).values_list(
                "case_number", flat=True
            )
        )
        candidate, serial = base, 1
        while candidate in taken:
            serial += 1
            suffix = f"-{serial}"
            candidate = base[: MAX_LENGTH - len(suffix)] + suffix
        print(  # noqa: T201 - the report the council needs, in the migrate output
            f"Mosaic ID {package.case_number!r} of {package.council.slug} is now {candidate!r}"
        )
        Package.objects.filter(pk=package.pk).update(case_number=candidate)


class Migration(migrations.Migration):
    dependencies = [
        ("sourcing", "0003_package_status_held"),
    ]

    operations = [
        migrations.RunPython(repair_mosaic_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="package",
            name="case_number",
            field=models.CharField(
                help_text="1 to 20 letters, digits or hyphens, starting with a letter or digit",
                max_length=30,
                validators=[carebroker.sourcing.models.validate_mosaic_id],
                verbose_name="Mosaic ID",
            ),
        ),
    ]
