"""A subprocess for the two-worker test: `python -m tests.sourcing.driver COMMAND ...`.

setup N      Kent packages referred at Monday 10:00 (first requests due 12:00)
advance ISO  one advance_due at that time; prints the lines as JSON
report       each package's request outcomes and the notices, as JSON
"""

import json
import os
import sys
from datetime import datetime

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carebroker.settings")


def main(command: str, *args: str) -> object:
    import django

    django.setup()
    from carebroker.outbox.models import Notice
    from carebroker.sourcing.due import advance_due
    from carebroker.sourcing.models import Package, SourcingRequest, TimelineEvent
    from tests.sourcing.kent import kent_cluster

    if command == "setup":
        kent = kent_cluster(packages=int(args[0]))
        return [p.case_number for p in kent.packages]
    if command == "advance":
        return advance_due(datetime.fromisoformat(args[0]))
    if command == "report":
        return {
            "requests": {
                p.case_number: list(
                    SourcingRequest.objects.filter(package=p)
                    .order_by("seq")
                    .values_list("provider__name", "outcome")
                )
                for p in Package.objects.all()
            },
            "expired": TimelineEvent.objects.filter(type="request_expired").count(),
            "notices": list(Notice.objects.values_list("key", flat=True)),
        }
    raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:])))
