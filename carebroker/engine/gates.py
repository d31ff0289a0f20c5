"""Council decisions (docs/policies.md §3): gates, approvals, `next_provider`, cancel.

A package `on_hold` waits at one gate; a decision about another gate (a manager approving a
sanctioned provider, or non-contracted providers, before sourcing gets there) is kept as an
approval and used when sourcing reaches it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from carebroker.engine.awards import choose
from carebroker.engine.inputs import Decision
from carebroker.engine.policy import GATE_NAMES
from carebroker.engine.stages import cascade, tender
from carebroker.engine.vocabulary import DecisionAction, EventType, PackageStatus

if TYPE_CHECKING:
    from carebroker.engine.progress import Progress


def decide(progress: Progress, decision: Decision) -> None:
    draft = progress.draft
    now = decision.at
    if draft.status in (
        PackageStatus.AWARDED,
        PackageStatus.RETURNED,
        PackageStatus.CLOSED,
        PackageStatus.CANCELLED,
        PackageStatus.UNFILLED,
    ):
        progress.ignore(now, f"the package is {draft.status}", action=decision.action)
        return
    if decision.action == DecisionAction.CANCEL:
        _finish(progress, decision, "cancelled")
        return
    if draft.status == PackageStatus.HELD:  # a broker holds it: only a cancel moves it
        progress.ignore(now, "the package is held: release it first", action=decision.action)
        return
    if decision.action == DecisionAction.NEXT_PROVIDER:
        _next_provider(progress, decision)
        return
    gate = draft.gate
    if decision.action == DecisionAction.APPROVE and (
        gate is None or decision.gate not in (None, gate)
    ):
        if decision.gate in GATE_NAMES:
            draft.approvals.add((decision.gate or "", decision.provider or ""))
            draft.event(
                now, EventType.APPROVAL_RECORDED, gate=decision.gate, provider=decision.provider
            )
        else:
            progress.ignore(now, "no such gate to approve", gate=decision.gate)
        return
    if gate is None:
        progress.ignore(now, "no gate is waiting for a decision", action=decision.action)
        return
    if decision.choice == "close":
        _finish(progress, decision, "closed")
        return
    if decision.choice == "return":
        # Sent back to the brokers with a reason (more information needed): the package
        # stays at the gate for the same decider (issue 10 item 2).
        draft.event(now, EventType.GATE_RETURNED, gate=gate, by=decision.actor,
                    reason=decision.reason)  # fmt: skip
        return
    handler = _GATES.get(gate)
    if handler is None or not handler(progress, decision):
        progress.ignore(now, f"not a decision for the gate {gate}", choice=decision.choice)


def _finish(progress: Progress, decision: Decision, status: str) -> None:
    draft = progress.draft
    draft.withdraw_open(decision.at, why=status)
    for run in draft.active_runs():
        draft.put(replace(run, status="withdrawn", due=None))
    draft.status = status
    draft.gate = None
    draft.gate_provider = None
    draft.timers = []
    draft.held_reason = None
    draft.event(decision.at, status, actor=decision.actor, reason=decision.reason)


def _approved(decision: Decision) -> bool:
    return decision.action == DecisionAction.APPROVE or decision.choice in (
        "approve",
        "continue",
        "accept",
    )


def _non_contracted(progress: Progress, decision: Decision) -> bool:
    if decision.choice == "refuse":
        # Not approved: no non-contracted provider is asked, so nothing is left to try.
        progress.clear_gate(decision.at, "refused")
        progress.unfilled(decision.at)
        return True
    if not _approved(decision):
        return False
    gate = progress.clear_gate(decision.at, "approved")
    progress.draft.approvals.add((gate or "", ""))
    progress.start_gated(decision.at)
    return True


def _later_start(progress: Progress, decision: Decision) -> bool:
    draft = progress.draft
    provider = draft.gate_provider or ""
    run = next((r for r in draft.active_runs() if progress.stage(r.name).kind == "cascade"), None)
    if run is None:
        return False
    if decision.action == DecisionAction.APPROVE or decision.choice == "accept":
        progress.clear_gate(decision.at, "later start accepted")
        request = next(r for r in reversed(draft.requests) if r.provider == provider)
        progress.award(decision.at, provider, run.name, rate=request.rate, start=request.start)
        return True
    if (
        decision.choice in ("continue", "next_provider")
        or decision.action == DecisionAction.NEXT_PROVIDER
    ):
        progress.clear_gate(decision.at, "later start refused")
        cascade.later_start_refused(progress, run, provider, decision.at)
        return True
    return False


def _tender_run(progress: Progress) -> tuple[str, int] | None:
    draft = progress.draft
    name = draft.stage or ""
    run = draft.run(name)
    if run is None:
        return None
    return name, draft.runs.index(run)


def _part_offer(progress: Progress, decision: Decision) -> bool:
    draft = progress.draft
    found = _tender_run(progress)
    if found is None:
        return False
    stage = progress.stage(found[0])
    parts = tender.offers(progress, stage, "part")
    if decision.choice == "accept_part" and parts:
        progress.clear_gate(decision.at, "accept_part")
        # the part offers compete as full ones would; a tie goes to a mini-competition
        winners = choose(
            stage.award, draft.requests, parts, progress.rank, stage.weights, progress.quality
        )
        if len(winners) > 1:
            tied = [draft.requests[i].provider for i in winners]
            progress.raise_gate(decision.at, stage.tie_gate or "mini_competition", tied=tied)
            return True
        tender.award_offer(progress, stage, winners[0], decision.at)
        return True
    if decision.choice == "off_framework":
        progress.clear_gate(decision.at, "off_framework")
        for i in parts:
            draft.update(i, not_awarded="worker chose to go off framework")
        progress.stage_ended(draft.runs[found[1]], decision.at, why="worker chose off framework")
        return True
    return False


def _mini_competition(progress: Progress, decision: Decision) -> bool:
    draft = progress.draft
    found = _tender_run(progress)
    if found is None or decision.choice != "award" or not decision.provider:
        return False
    stage = progress.stage(found[0])
    for i in tender.offers(progress, stage):
        if draft.requests[i].provider == decision.provider:
            progress.clear_gate(decision.at, f"award {decision.provider}")
            tender.award_offer(progress, stage, i, decision.at)
            return True
    return False


def _unable_to_fill(progress: Progress, decision: Decision) -> bool:
    if decision.choice != "continue":
        return False
    progress.clear_gate(decision.at, "continue")
    progress.draft.next_stage = 0  # §6.5: the worker asks for the search to go on
    progress.enter(decision.at)
    return True


def _open_market_choice(progress: Progress, decision: Decision) -> bool:
    draft = progress.draft
    if decision.choice == "continue":
        # None of the offers: the package stays on the list; the next offer asks again.
        progress.clear_gate(decision.at, "no offer chosen; listing goes on")
        return True
    if decision.choice != "award" or not decision.provider:
        return False
    for request in draft.requests:
        if request.provider == decision.provider and request.outcome == "offer":
            progress.clear_gate(decision.at, f"award {decision.provider}")
            progress.award(decision.at, decision.provider, request.stage, rate=request.rate)
            return True
    return False


def _next_provider(progress: Progress, decision: Decision) -> None:
    draft = progress.draft
    if draft.gate == "later_start":
        _later_start(progress, decision)
        return
    for run in draft.active_runs():
        if progress.stage(run.name).kind == "cascade" and cascade.next_provider(
            progress, run, decision.at
        ):
            return
    progress.ignore(decision.at, "no provider is considering", action="next_provider")


_GATES = {
    "non_contracted_approval": _non_contracted,
    "later_start": _later_start,
    "part_offer": _part_offer,
    "mini_competition": _mini_competition,
    "unable_to_fill": _unable_to_fill,
    "open_market_choice": _open_market_choice,
}
