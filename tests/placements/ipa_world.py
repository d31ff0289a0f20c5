"""A Leicestershire package awarded through the engine (best price, the tender's deadline
run out), with its IPA made and sent with the award; and the people of the IPA loop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from carebroker.accounts.models import Role, User
from carebroker.engine.inputs import Answer
from carebroker.placements.models import DocumentKind, PlacementDocument
from carebroker.providers.models import Provider
from carebroker.sourcing import runner
from carebroker.sourcing.due import advance_due
from carebroker.sourcing.models import Package
from tests.exchange.replies_world import TUESDAY_11, leics_tender
from tests.factories import make_user

# Monday 30 November 2026, 10:00: the tender's deadline (5 working days), the award.
AWARDED = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
# Tuesday 1 December 2026, 11:00: the signed IPA comes back; Wednesday 2 December, 14:30
# (London, GMT): the council countersigns it.
RETURNED = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
COUNTERSIGNED = datetime(2026, 12, 2, 14, 30, tzinfo=UTC)


@dataclass
class IpaWorld:
    package: Package
    winner: Provider
    loser: Provider
    broker: User
    winner_user: User
    loser_user: User

    def ipa_pdf(self) -> bytes:
        """The IPA we sent, as the provider returns it signed (the same PDF)."""
        sent = PlacementDocument.objects.get(
            package=self.package, kind=DocumentKind.IPA, filename__endswith=".pdf"
        )
        return bytes(sent.content)


def leics_awarded() -> IpaWorld:
    world = leics_tender()
    oak1, oak2 = world.providers
    for provider, rate in ((oak1, "24.10"), (oak2, "25.00")):
        runner.record_answer(
            world.package,
            Answer(
                at=TUESDAY_11,
                provider=str(provider.pk),
                action="offer",
                coverage="full",
                rate=Decimal(rate),
            ),
        )
    advance_due(AWARDED)
    package = Package.objects.select_related("council", "person", "awarded_provider").get(
        pk=world.package.pk
    )
    assert package.awarded_provider == oak1
    return IpaWorld(
        package=package,
        winner=oak1,
        loser=oak2,
        broker=make_user(world.council, Role.BROKER, first_name="Jo", last_name="Broker"),
        winner_user=make_user(world.council, Role.PROVIDER, provider=oak1),
        loser_user=make_user(world.council, Role.PROVIDER, provider=oak2),
    )
