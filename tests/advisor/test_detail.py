"""The lean form of an advice (advisor/detail.py): one rule, three ways of applying it (on the
model, for batches; cut out of the full answer's bytes, for /v1/match; on JSON, for stored
decision records), which must agree byte for byte."""

import json

import pytest

from advisor.advice import advise
from advisor.detail import DECISIVE, as_detail, lean, lean_data, lean_of, to_json
from advisor.models import Reason
from bench.common import golden_profiles, random_profiles
from catalogue.snapshot import Snapshot
from tests.builders import make_profile

PROFILES = golden_profiles()[::6]  # a spread of the golden set: EU, China, US, other countries


@pytest.mark.parametrize("index", range(len(PROFILES)))
def test_lean_on_the_model_and_on_json_agree(snapshot: Snapshot, index: int) -> None:
    advice = advise(PROFILES[index], snapshot).model_copy(update={"advice_id": "ab" * 16})
    full = to_json(advice)
    expected = to_json(advice, "lean")
    assert to_json(lean(advice)) == expected  # leaving reasons out as it writes = a lean model
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
    full = advise(profile, snapshot)
    short = lean(full)
    assert any(len(e.reasons) > DECISIVE for e in full.excluded)
    for whole, cut in zip(full.excluded, short.excluded, strict=True):
        assert cut.reasons == whole.reasons[:1] and len(cut.reasons) == 1
        assert (cut.near_miss, cut.would_qualify_if, cut.successor) == (
            whole.near_miss,
            whole.would_qualify_if,
            whole.successor,
        )
    elena = next(e for e in short.excluded if e.instrument_id == "elena")
    assert elena.near_miss and "bundle" in (elena.would_qualify_if or "")
    assert short.options == full.options and short.mixes == full.mixes


RANDOM = random_profiles(150, seed=29)


def test_the_lean_answer_cut_from_the_full_one_is_the_one_the_serialiser_writes(
    snapshot: Snapshot,
) -> None:
    cut = 0
    for profile in RANDOM:
        advice = advise(profile, snapshot)
        full = to_json(advice)
        expected = to_json(advice, "lean")
        assert lean_of(full, advice) == expected, profile
        cut += full != expected
    assert cut > 100  # most answers have an excluded instrument with more than one reason


def test_reason_texts_that_spell_the_byte_patterns_do_not_move_the_cuts(
    snapshot: Snapshot,
) -> None:
    """Inside a JSON string a quote is escaped, so text that reads like the structure is not
    taken for it: the same bytes as the serialiser's, not a cut in the wrong place."""
    advice = advise(RANDOM[0], snapshot)
    tricky = 'x"],"near_miss":true},{"rule":"y"}],"excluded":['
    excluded = [
        e.model_copy(
            update={
                "name": tricky,
                "reasons": [
                    r.model_copy(update={"text": tricky, "source": tricky}) for r in e.reasons
                ]
                + [Reason(rule="extra", text=tricky, source=tricky)],
            }
        )
        for e in advice.excluded
    ]
    advice = advice.model_copy(update={"excluded": excluded})
    full = to_json(advice)
    assert full.count(b'],"near_miss":') == len(excluded)  # only the structure's
    assert lean_of(full, advice) == to_json(advice, "lean")
    assert json.loads(lean_of(full, advice))["excluded"][0]["reasons"][0]["text"] == tricky


def test_bytes_not_shaped_as_expected_give_the_serialiser_s_lean_answer(
    snapshot: Snapshot,
) -> None:
    advice = advise(RANDOM[0], snapshot)
    full, expected = to_json(advice), to_json(advice, "lean")
    assert full != expected
    assert lean_of(b"{}", advice) == expected
    # as if Excluded's fields came in another order: no cut is found, none is guessed
    assert lean_of(full.replace(b'],"near_miss":', b'],"would":'), advice) == expected
    # an advice whose excluded instruments have one reason each is its own lean answer
    one = advice.model_copy(
        update={
            "excluded": [e.model_copy(update={"reasons": e.reasons[:1]}) for e in advice.excluded]
        }
    )
    assert lean_of(to_json(one), one) == to_json(one) == to_json(one, "lean")


def test_a_lean_form_keeping_more_reasons_is_written_not_cut(
    snapshot: Snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from advisor import detail

    advice = advise(RANDOM[0], snapshot)
    extra = Reason(rule="extra", text="another criterion", source="a source")
    # every instrument with more than one reason has three: as many to cut whether one or two
    # are kept, so only the rule itself tells the two lean forms apart
    excluded = [
        e if len(e.reasons) == 1 else e.model_copy(update={"reasons": [*e.reasons[:2], extra]})
        for e in advice.excluded
    ]
    advice = advice.model_copy(update={"excluded": excluded})
    full = to_json(advice)
    monkeypatch.setattr(detail, "DECISIVE", 2)
    expected = to_json(advice, "lean")
    assert expected != full and lean_of(full, advice) == expected
    assert {len(e["reasons"]) for e in json.loads(expected)["excluded"]} == {1, 2}
