"""A malformed scenario is refused with every bad field named (docs/scenarios.md)."""

import pytest

from carebroker.engine.scenario import ScenarioError, parse_scenario
from tests.engine.replay import answer, decision, package, provider, scenario


def errors_of(source):
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(source)
    return raised.value.errors


def test_every_bad_field_is_named_with_its_path():
    """Bad postcode, bad date, unknown kind, unknown provider in an event: all reported at once."""
    source = scenario(
        "essex-lah",
        [provider("P1"), provider("P2", kind="spott", areas={"North": 0})],
        [package("M1"), package("M2", referred_at="yesterday"), package("M3", postcode="ZZ99")],
        [
            answer("2026-11-23T09:30:00Z", "P7", "interest"),
            answer("2026-11-23T09:30:00Z", "P1", "offer", rate="cheap"),
            {"at": "2026-11-23T09:30:00Z", "package": "M9", "actor": "boss", "action": "approve"},
        ],
    )
    errors = errors_of(source)
    expected = [
        "providers[1].kind: must be one of",
        "providers[1].areas: rank of 'North' must be a whole number from 1",
        "packages[1].referred_at: not an ISO 8601 date and time: 'yesterday'",
        "packages[2].postcode: not a UK postcode",
        "events[0].provider: no provider with id 'P7'",
        "events[1].rate: not a decimal string",
        "events[2].package: no package with id 'M9'",
        "events[2].actor: must be one of manager, referrer, broker",
    ]
    for line in expected:
        assert any(error.startswith(line) for error in errors), (line, errors)


def test_unknown_keys_and_missing_fields_are_named():
    """Unknown keys are refused; required fields missing are named."""
    row = package("M1", colour="red")
    del row["preferred_start"]
    errors = errors_of({**scenario("essex-lah", [provider("P1")], [row], []), "extra": 1})
    assert "extra: unknown key" in errors
    assert "packages[0].colour: unknown key" in errors
    assert "packages[0].preferred_start: missing" in errors


def test_times_need_an_offset_and_until_after_start():
    """Naive times are refused; until must come after start."""
    source = scenario("essex-lah", [provider("P1")], [package()], [],
                      start="2026-11-20T09:00:00", until="2026-11-01T09:00:00Z")  # fmt: skip
    errors = errors_of(source)
    assert any(e.startswith("start: needs a UTC offset") for e in errors)
    source["start"] = "2026-11-20T09:00:00Z"
    assert "until: must be after start" in errors_of(source)


def test_unknown_preset_and_bad_policy_object_are_named():
    """The policy must be a preset or a valid policy object; its own errors carry `policy.`."""
    assert errors_of(scenario("kent", [], [], [])) == [
        "policy: unknown preset 'kent'; one of essex-lah, kent-oppd, leics-short-breaks"
    ]
    bad = {"name": "x", "area_kind": "quadrant", "stages": []}
    errors = errors_of(scenario(bad, [], [], []))
    assert "policy.stages: must be a non-empty list of stage tables ([[stages]])" in errors
    assert "policy.working_time: missing" in errors


def test_decisions_need_their_gate_or_choice():
    """approve needs a gate; decide needs a choice; an award names its provider."""
    source = scenario(
        "leics-short-breaks",
        [provider("P1")],
        [package()],
        [
            decision("2026-11-23T09:30:00Z", "manager", "approve"),
            decision("2026-11-23T09:30:00Z", "referrer", "decide"),
            decision("2026-11-23T09:30:00Z", "broker", "decide", choice="award"),
            answer("2026-11-23T09:30:00Z", "P1", "considering"),
        ],
    )
    errors = errors_of(source)
    assert any(e.startswith("events[0].gate: missing") for e in errors)
    assert any(e.startswith("events[1].choice: missing") for e in errors)
    assert any(e.startswith("events[2].provider: missing") for e in errors)
    assert any(e.startswith("events[3].until: missing") for e in errors)


def test_event_about_a_request_not_open_is_recorded_as_ignored():
    """An answer nobody asked for is not an error: it is kept in the timeline as ignored."""
    from tests.engine.replay import events, only, replay

    source = scenario("essex-lah", [provider("P1", tier=1)], [package()],
                      [answer("2026-11-20T12:00:00Z", "P1", "offer")])  # fmt: skip
    pkg = only(replay(source))
    (ignored,) = events(pkg, "ignored")
    assert ignored["at"] == "2026-11-20T12:00:00Z"
    assert ignored["ignored"] == "no open request to this provider"


def test_areas_must_be_the_policys_own_when_it_lists_them():
    """Essex lists its quadrants: a package or provider area outside them is named."""
    source = scenario("essex-lah", [provider("P1", areas={"Nowhere": 1})],
                      [package(area="Norht")], [])  # fmt: skip
    errors = errors_of(source)
    assert any(
        e.startswith("providers[0].areas: 'Nowhere' is not an area of North") for e in errors
    )
    assert any(e.startswith("packages[0].area: 'Norht' is not one of North") for e in errors)


def test_policy_that_does_not_anonymise_shows_the_full_record():
    """A council copy with anonymise_provider_view = false: providers see the record as held."""
    import json
    import tomllib

    from carebroker.engine.policy import PRESETS_DIR
    from tests.engine.replay import only, replay

    policy = tomllib.loads((PRESETS_DIR / "essex-lah.toml").read_text())
    policy["anonymise_provider_view"] = False
    person = {"name": "Ada Lovelace", "dob": "1941-03-02",
              "relations": [{"relation": "sister", "name": "Bea Lovelace"}]}  # fmt: skip
    pkg = only(replay(scenario(policy, [provider("P1", tier=1)], [package(person=person)], [],
                               until="2026-11-20T12:00:00Z")))  # fmt: skip
    view = json.loads(json.dumps(pkg["provider_view"]))
    assert (view["name"], view["dob"]) == ("Ada Lovelace", "1941-03-02")
    assert view["relations"] == [{"relation": "sister", "name": "Bea Lovelace"}]
