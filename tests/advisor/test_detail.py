"""The lean form of an advice (advisor/detail.py): one rule, three ways of applying it (written
by the serialiser, for batches; cut out of the full answer's bytes, for /v1/match; on JSON, for
stored decision records), which must agree byte for byte."""

import json
from typing import Any

import pytest

from advisor.advice import advise
from advisor.detail import CRITERION, as_detail, lean_data, lean_of, to_json
from advisor.models import Advice, Reason
from bench.common import golden_profiles, random_profiles
from catalogue.snapshot import Snapshot
from tests.builders import make_profile

PROFILES = golden_profiles()[::6]  # a spread of the golden set: EU, China, US, other countries
CONTRACT = {"rule", "text", "source"}  # a reason, as ARCHITECTURE.md's response shape lists it


def _every_reason(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every reason object anywhere in an answer in JSON form."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if {"rule", "text", "source"} <= node.keys():
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)
    return found


@pytest.mark.parametrize("index", range(len(PROFILES)))
def test_lean_written_cut_and_from_json_agree(snapshot: Snapshot, index: int) -> None:
    advice = advise(PROFILES[index], snapshot).model_copy(update={"advice_id": "ab" * 16})
    full = to_json(advice)
    expected = to_json(advice, "lean")
    assert lean_of(full, advice) == expected  # cut out of the full answer's bytes
    # a stored full answer, read back, gives the lean answer byte for byte
    assert as_detail(full, "lean") == expected
    assert as_detail(full, "full") == full
    assert json.loads(expected) == lean_data(json.loads(full))
    assert json.loads(full) == advice.model_dump(mode="json")


def test_lean_keeps_the_decisive_reason_and_the_hint(snapshot: Snapshot) -> None:
    # an EUR 18m energy-efficiency programme in planning: ELENA needs EUR 30m (bundle projects)
    profile = make_profile(
        capex={"amount": 18_000_000, "currency": "EUR"},
        stage="planning",
        development_cost={"amount": 900_000, "currency": "EUR"},
        sector="energy_efficiency",
    )
    advice = advise(profile, snapshot)
    full, short = json.loads(to_json(advice)), json.loads(to_json(advice, "lean"))
    assert any(len(e["reasons"]) > 1 for e in full["excluded"])
    for whole, cut in zip(full["excluded"], short["excluded"], strict=True):
        first = whole["reasons"][0]
        assert cut["reasons"] == [{k: first[k] for k in ("rule", "text", "source")}]
        for key in ("instrument_id", "name", "near_miss", "would_qualify_if", "successor"):
            assert cut[key] == whole[key]
    elena = next(e for e in short["excluded"] if e["instrument_id"] == "elena")
    assert elena["near_miss"] and "bundle" in (elena["would_qualify_if"] or "")
    assert short["mixes"] == full["mixes"] and short["fx"] == full["fx"]
    assert [o["instrument_id"] for o in short["options"]] == [
        o["instrument_id"] for o in full["options"]
    ]


RANDOM = random_profiles(150, seed=29)


def test_every_lean_reason_is_the_contract_s_and_the_full_one_keeps_its_criterion(
    snapshot: Snapshot,
) -> None:
    """Lean: every reason anywhere is {rule, text, source}. Full: the criterion record is there
    (a failed hard criterion of an excluded instrument has its test and `passed: false`)."""
    for profile in RANDOM[:40]:
        advice = advise(profile, snapshot)
        lean_answer, full = json.loads(to_json(advice, "lean")), json.loads(to_json(advice))
        assert all(r.keys() == CONTRACT for r in _every_reason(lean_answer)), profile
        assert all(r.keys() == CONTRACT | CRITERION for r in _every_reason(full))
        assert any(
            r["passed"] is False and r["test"] for e in full["excluded"] for r in e["reasons"]
        )


def test_the_lean_answer_cut_from_the_full_one_is_the_one_the_serialiser_writes(
    snapshot: Snapshot,
) -> None:
    smaller = 0
    for profile in RANDOM:
        advice = advise(profile, snapshot)
        full = to_json(advice)
        expected = to_json(advice, "lean")
        assert lean_of(full, advice) == expected, profile
        smaller += len(expected) < 0.9 * len(full)
    assert smaller == len(RANDOM)


TRICKY = (
    'x"],"near_miss":true},{"rule":"y"}],"excluded":['
    ',"test":null,"value":null,"threshold":null,"passed":null}'
    ',"test":"t","passed":true},{"rule":"z"}'
)


def _tricky(advice: Advice, criterion: bool) -> Advice:
    """Every name, text, source (and with `criterion`, every criterion value) spells the byte
    patterns; each excluded instrument gets one more reason."""

    def reason(r: Reason) -> Reason:
        update: dict[str, Any] = {"text": TRICKY, "source": TRICKY}
        if criterion:
            update |= {"test": TRICKY, "value": TRICKY, "threshold": TRICKY}
        return r.model_copy(update=update)

    excluded = [
        e.model_copy(
            update={
                "name": TRICKY,
                "reasons": [reason(r) for r in e.reasons]
                + [Reason(rule="extra", text=TRICKY, source=TRICKY, passed=False)],
            }
        )
        for e in advice.excluded
    ]
    options = [
        o.model_copy(update={"name": TRICKY, "reasons": [reason(r) for r in o.reasons]})
        for o in advice.options
    ]
    return advice.model_copy(update={"excluded": excluded, "options": options})


@pytest.mark.parametrize("criterion", [False, True])
def test_texts_that_spell_the_byte_patterns_do_not_move_the_cuts(
    snapshot: Snapshot, criterion: bool
) -> None:
    """Inside a JSON string a quote is escaped, so text that reads like the structure is not
    taken for it: the same bytes as the serialiser's, not a cut in the wrong place."""
    advice = _tricky(advise(RANDOM[0], snapshot), criterion)
    full = to_json(advice)
    assert full.count(b'],"near_miss":') == len(advice.excluded)  # only the structure's
    cut = lean_of(full, advice)
    assert cut == to_json(advice, "lean") == as_detail(full, "lean")
    data = json.loads(cut)
    assert data["excluded"][0]["reasons"][0]["text"] == TRICKY
    assert data["options"][0]["reasons"][0]["source"] == TRICKY


def test_bytes_not_shaped_as_expected_give_the_serialiser_s_lean_answer(
    snapshot: Snapshot,
) -> None:
    advice = advise(RANDOM[0], snapshot)
    full, expected = to_json(advice), to_json(advice, "lean")
    assert full != expected
    assert lean_of(b"{}", advice) == expected
    # as if Excluded's fields came in another order: no cut is found, none is guessed
    assert lean_of(full.replace(b'],"near_miss":', b'],"would":'), advice) == expected
    # as if Reason's fields came in another order: no criterion record is found
    assert lean_of(full.replace(b',"passed":', b',"ok":'), advice) == expected
    # bytes of another advice (fewer reasons than this one has): not cut by this one's count
    other = advise(RANDOM[1], snapshot)
    assert lean_of(to_json(other), advice) == expected


def test_a_lean_form_keeping_more_reasons_is_written_not_cut(
    snapshot: Snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from advisor import detail

    advice = advise(RANDOM[0], snapshot)
    extra = Reason(rule="extra", text="another criterion", source="a source")
    excluded = [
        e if len(e.reasons) == 1 else e.model_copy(update={"reasons": [*e.reasons[:2], extra]})
        for e in advice.excluded
    ]
    advice = advice.model_copy(update={"excluded": excluded})
    full = to_json(advice)
    monkeypatch.setattr(detail, "DECISIVE", 2)
    monkeypatch.setattr(detail, "_KEPT", {})
    expected = to_json(advice, "lean")
    assert expected != full and lean_of(full, advice) == expected
    assert {len(e["reasons"]) for e in json.loads(expected)["excluded"]} == {1, 2}
    assert json.loads(expected) == lean_data(json.loads(full))
