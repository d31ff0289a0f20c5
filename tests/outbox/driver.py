"""A small driver for the subprocess tests: `python -m tests.outbox.driver COMMAND ...`.

It runs in its own process against DATABASE_URL, as a worker would:

- `queue N`: one committed transaction queues N notices (keys crash:0 ... crash:N-1);
- `expire`: the leases of notices being sent run out (time passes for a dead worker);
- `statuses`: prints {"status": count} as JSON;
- `deliver LIMIT WORKER`: deliver_due in passes of LIMIT until nothing is due; prints
  {"sent": count} as JSON.
"""

import json
import os
import sys
from collections import Counter
from datetime import timedelta


def main(command: str, *args: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carebroker.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from carebroker.councils.models import Council
    from carebroker.outbox.delivery import deliver_due
    from carebroker.outbox.models import Notice, NoticeKind, NoticeStatus
    from carebroker.outbox.notices import queue_notice

    if command == "queue":
        with transaction.atomic():
            council, _ = Council.objects.get_or_create(
                slug="crash-test",
                defaults={"name": "Southmarsh County Council", "policy_name": "kent-oppd"},
            )
            for n in range(int(args[0])):
                queue_notice(
                    council=council,
                    kind=NoticeKind.DECLINE_ACKNOWLEDGEMENT,
                    key=f"crash:{n}",
                    to=[f"provider{n}@provider.example.org"],
                    context={
                        "recipient": f"Provider {n}",
                        "reason": "No capacity",
                        "mosaic_id": f"M{5000 + n}",
                    },
                    now=timezone.now(),
                )
    elif command == "expire":
        Notice.objects.filter(status=NoticeStatus.SENDING).update(
            claimed_until=timezone.now() - timedelta(seconds=1)
        )
    elif command == "statuses":
        print(json.dumps(Counter(Notice.objects.values_list("status", flat=True))))
    elif command == "deliver":
        sent = 0
        while True:
            report = deliver_due(timezone.now(), limit=int(args[0]), worker_id=args[1])
            sent += len(report.sent)
            if not report.sent and not report.retrying:
                break
        print(json.dumps({"sent": sent}))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(*sys.argv[1:])
