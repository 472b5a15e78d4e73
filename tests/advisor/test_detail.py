"""The lean form of an advice (advisor/detail.py): one rule, two ways of applying it (on the
model, for batches; on JSON, for stored decision records), which must agree byte for byte."""

import json

import pytest

from advisor.advice import advise
from advisor.detail import DECISIVE, as_detail, lean, lean_data, to_json
from bench.common import golden_profiles
from catalogue.snapshot import Snapshot
from tests.builders import make_profile

PROFILES = golden_profiles()[::6]  # a spread of the golden set: EU, China, US, other countries


@pytest.mark.parametrize("index", range(len(PROFILES)))
def test_lean_on_the_model_and_on_json_agree(snapshot: Snapshot, index: int) -> None:
    advice = advise(PROFILES[index], snapshot).model_copy(update={"advice_id": "ab" * 16})
    full = to_json(advice)
    expected = to_json(advice, "lean")
    assert to_json(lean(advice)) == expected  # leaving reasons out as it writes = a lean model
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
