"""Moving a package through its policy: stage after stage, gates, awards (docs/policies.md §2–3).

Stage kinds (`engine/stages/`) call back here when they award or end without an award.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from carebroker.engine.market import Market, MarketProvider
from carebroker.engine.policy import Stage
from carebroker.engine.stages import start_stage
from carebroker.engine.state import Draft, StageRun
from carebroker.engine.vocabulary import EffectKind, EventType, NoticeKind, PackageStatus
from carebroker.engine.workingtime import Deadline
from carebroker.lib.london import LONDON


class Progress:
    """One engine step's view of a package: the market, the draft, and the moves between stages."""

    def __init__(self, market: Market, draft: Draft) -> None:
        self.market = market
        self.draft = draft
        self.policy = market.policy
        self.package = draft.package
        self.entering = False  # while stages start, an ended stage does not start the next

    # -- helpers -----------------------------------------------------------

    def deadline(self, now: datetime, expr: Deadline) -> datetime:
        return self.market.calendar.deadline(now, expr)

    def stage(self, name: str) -> Stage:
        return self.policy.stage(name)

    def rank(self, provider_id: str) -> int:
        provider = self.market.provider(provider_id)
        return provider.rank_in(self.package.area) if provider else 10_000

    def quality(self, provider_id: str) -> tuple[str | None, Decimal | None]:
        """(CQC rating, delivery record) of a provider, for the weighted award (§9)."""
        provider = self.market.provider(provider_id)
        return (provider.cqc_rating, provider.delivery) if provider else (None, None)

    def approved(self, gate: str) -> frozenset[str]:
        return frozenset(p for g, p in self.draft.approvals if g == gate)

    def select(self, stage: Stage, now: datetime) -> list[MarketProvider]:
        approved = self.approved(stage.sanction_gate) if stage.sanction_gate else frozenset()
        chosen, _ = self.market.select(stage, self.package, approved, now=now)
        return chosen

    def ignore(self, now: datetime, why: str, **details: object) -> None:
        self.draft.event(now, EventType.IGNORED, ignored=why, **details)

    # -- stages ------------------------------------------------------------

    def enter(self, now: datetime) -> None:
        """Start the next stage (and any stage that runs alongside it) that applies."""
        draft = self.draft
        stages = self.policy.stages
        while draft.next_stage < len(stages):
            stage = stages[draft.next_stage]
            draft.next_stage += 1
            if not self.market.applies(stage, self.package):
                if (
                    stage.kind == "batch"
                    and self.package.change_to_existing
                    and stage.exclude_change_to_existing
                ):
                    draft.event(
                        now, EventType.STAGE_SKIPPED, stage=stage.name, why="change_to_existing"
                    )
                continue
            if stage.requires_gate and stage.requires_gate not in {g for g, _ in draft.approvals}:
                draft.next_stage -= 1  # the stage starts when the gate is passed
                self.raise_gate(now, stage.requires_gate, stage=stage.name)
                return
            group = [stage]
            if stage.parallel_with:  # docs/policies.md §4.1: the urgent track runs alongside
                partner = self.policy.stage(stage.parallel_with)
                if stages.index(partner) == draft.next_stage:
                    draft.next_stage += 1
                if self.market.applies(partner, self.package):
                    group.append(partner)
            draft.status = PackageStatus.SOURCING
            draft.stage = group[0].name
            self.entering = True
            try:
                for member in group:
                    start_stage(self, member, now)
                    if draft.status != PackageStatus.SOURCING:
                        return
            finally:
                self.entering = False
            active = draft.active_runs()
            if active:
                draft.stage = active[0].name
                return
        self.unfilled(now)

    def start_gated(self, now: datetime) -> None:
        """The gate before a stage was passed: start that stage."""
        stage = self.policy.stages[self.draft.next_stage]
        self.draft.next_stage += 1
        self.draft.status = PackageStatus.SOURCING
        self.draft.stage = stage.name
        self.entering = True
        try:
            start_stage(self, stage, now)
        finally:
            self.entering = False
        if self.draft.status == PackageStatus.SOURCING and not self.draft.active_runs():
            self.enter(now)

    def stage_ended(self, run: StageRun, now: datetime, why: str = "no award") -> None:
        """`run` ended without an award; when nothing else runs, the next stage starts."""
        self.draft.put(replace(run, status="ended", due=None))
        self.draft.withdraw_open(now, stage=run.name, why="stage ended")
        self.draft.event(now, EventType.STAGE_ENDED, stage=run.name, why=why)
        active = self.draft.active_runs()
        if active:
            self.draft.stage = active[0].name
            return
        if self.entering:
            return
        if self.draft.status in (PackageStatus.SOURCING, PackageStatus.ON_HOLD):
            self.enter(now)

    def unfilled(self, now: datetime) -> None:
        """Every stage ended without an award (docs/policies.md §6.5 for a gate instead)."""
        if self.policy.when_unfilled == "unable_to_fill":
            reasons = [
                {"provider": r.provider, "stage": r.stage, "reason": r.reason or r.outcome}
                for r in self.draft.requests
                if r.outcome in ("decline", "expired")
            ]
            self.raise_gate(now, "unable_to_fill", reasons=reasons)
            return
        self.draft.status = PackageStatus.UNFILLED
        self.draft.event(now, EventType.UNFILLED)
        # Referrers kept informed (issue 11): the referrer hears the package could not be
        # placed, with each provider's reason (Leicestershire's gate asks its worker instead).
        self.draft.effect(EffectKind.SEND_NOTICE, "referrer", notice=NoticeKind.NOT_PLACED)

    # -- gates ---------------------------------------------------------------

    def raise_gate(
        self, now: datetime, gate: str, provider: str | None = None, **details: object
    ) -> None:
        rule = self.policy.gate(gate)
        who = rule.decided_by if rule else "manager"
        self.draft.status = PackageStatus.ON_HOLD
        self.draft.gate = gate
        self.draft.gate_provider = provider
        self.draft.event(
            now, EventType.GATE_RAISED, gate=gate, decided_by=who, provider=provider, **details
        )
        self.draft.effect(EffectKind.RAISE_GATE, who, gate=gate, provider=provider)

    def clear_gate(self, now: datetime, how: str) -> str | None:
        gate = self.draft.gate
        self.draft.event(now, EventType.GATE_PASSED, gate=gate, decision=how)
        self.draft.gate = None
        self.draft.gate_provider = None
        self.draft.status = PackageStatus.SOURCING
        return gate

    # -- awards ----------------------------------------------------------------

    def award(
        self,
        now: datetime,
        provider: str,
        stage: str,
        rate: Decimal | None = None,
        start: date | None = None,
    ) -> None:
        """Award the package; every other open request is withdrawn, every other stage stops."""
        draft = self.draft
        draft.status = PackageStatus.AWARDED
        draft.provider = provider
        draft.awarded_at = now
        draft.stage = stage
        draft.gate = None
        draft.gate_provider = None
        referred = self.package.referred_at
        days = self.market.calendar.working_days_between(
            referred.astimezone(LONDON).date(), now.astimezone(LONDON).date()
        )
        record = self.policy.record_days_referral_to_award
        # docs/policies.md §4: Essex awards at the framework rate, except open-market proposals
        priced = self.policy.award_rate == "offer" or self.policy.stage(stage).rate_proposals
        draft.event(
            now,
            EventType.AWARD,
            provider=provider,
            stage=stage,
            rate_basis="offer" if priced else self.policy.award_rate,
            rate=str(rate) if rate is not None and priced else None,
            start=start.isoformat() if start else None,
            working_days_from_referral=days if record else None,
        )
        draft.effect(EffectKind.AWARD, provider, stage=stage)
        for run in draft.active_runs():
            draft.put(
                replace(run, status="awarded" if run.name == stage else "withdrawn", due=None)
            )
        draft.withdraw_open(now, why="awarded")
        draft.timers = []
        self._after_award(now, provider)

    def _after_award(self, now: datetime, provider: str) -> None:
        after = self.policy.after_acceptance
        if after is not None:  # docs/policies.md §5 After acceptance
            due = self.deadline(now, after.confirmation_form_within)
            self.draft.event(now, EventType.CONFIRMATION_FORM_DUE, provider=provider, due=due)
        if not self.policy.full_record_in:
            # Referrers kept informed (issue 11): the referrer hears who won in every preset;
            # Leicestershire's worker is told below, with the IPA to follow (§6 Filled).
            self.draft.effect(EffectKind.SEND_NOTICE, provider, notice=NoticeKind.FILLED)
        if self.policy.full_record_in:  # docs/policies.md §6 Filled
            self.draft.event(now, EventType.REFERRER_TOLD, why="filled", provider=provider)
            self.draft.event(now, EventType.PLACEMENT_AGREEMENT_SENT, provider=provider)
            self.draft.effect(
                EffectKind.SEND_NOTICE,
                provider,
                notice=NoticeKind.FILLED,
                record=self.policy.full_record_in,
            )

    def confirmed(
        self,
        now: datetime,
        start: date | None,
        call_times: str | None,
        carer_notes: str | None = None,
    ) -> None:
        """docs/policies.md §5: the confirmation form is back; the SDO and finance clocks."""
        after = self.policy.after_acceptance
        if self.policy.full_record_in:  # docs/policies.md §6 Filled: the signed IPA came back
            self.draft.event(
                now, EventType.PLACEMENT_AGREEMENT_COUNTERSIGNED, provider=self.draft.provider
            )
        self.draft.event(
            now,
            EventType.CONFIRMED,
            provider=self.draft.provider,
            start=start.isoformat() if start else None,
            call_times=call_times,
            carer_notes=carer_notes,  # Kent's Provider Confirmation Form (portal/confirmation.py)
        )
        if start is not None:  # Referrers kept informed (issue 11): the agreed start date
            self.draft.effect(
                EffectKind.SEND_NOTICE,
                "referrer",
                notice=NoticeKind.START_AGREED,
                start=start.isoformat(),
                call_times=call_times,
            )
        if after is None:
            return
        sdo = self.deadline(now, after.service_delivery_order_within)
        finance = self.deadline(sdo, after.financial_assessment_within)
        self.draft.event(now, EventType.SERVICE_DELIVERY_ORDER_DUE, due=sdo)
        self.draft.event(now, EventType.FINANCIAL_ASSESSMENT_DUE, due=finance)
        reviews = self.policy.reviews
        if reviews is not None and start is not None:  # docs/policies.md §5 Reviews
            if "known_to_team" in self.package.flags:
                self.draft.event(
                    now,
                    EventType.REVIEW_DUE,
                    due=start + timedelta(weeks=reviews.known_to_team_weeks),
                )
            else:
                self.draft.event(
                    now,
                    EventType.REVIEW_DUE,
                    earliest=start + timedelta(weeks=reviews.new_earliest_weeks),
                    latest=start + timedelta(weeks=reviews.new_latest_weeks),
                )
