"""An eligibility condition on the project that no profile field states (`conditions`) makes
the instrument one to check: never an option, never in a mix, each condition a line of what to
verify with the source that sets it (docs/eligibility.md section 2; ARCHITECTURE.md "Reach,
not hope"). The CEF funds projects of common interest on the TEN-T only (seed Annex 4 L5775:
"The CEF is dedicated to Trans-European Networks."), which no profile states."""

from advisor.advice import advise
from catalogue.schema import InstrumentRecord
from catalogue.snapshot import Snapshot
from catalogue.strictness import problems
from tests.advisor.mix_builders import FX_RATES, record
from tests.builders import make_profile

CONDITION = "the project is on the network"
SETS_IT = {"document": "Act 1", "reference": "Art. 9", "supports": ["conditions"]}


def _grant(**fields: object) -> InstrumentRecord:
    return record("g", "grant", co_financing=[{"rate": 0.5}], sources=[SETS_IT], **fields)


def test_a_condition_no_profile_states_makes_the_instrument_one_to_check() -> None:
    profile = make_profile(capex={"amount": 10_000_000, "currency": "EUR"})
    plain = Snapshot("t1", (_grant(),), (), FX_RATES)
    assert [o.instrument_id for o in advise(profile, plain).options] == ["g"]

    held = Snapshot("t2", (_grant(conditions=[CONDITION]),), (), FX_RATES)
    advice = advise(profile, held)
    assert advice.options == [] and advice.also_eligible == []
    assert all(c.instrument_id != "g" for m in advice.mixes for c in m.components)
    [entry] = advice.to_check
    assert entry.instrument_id == "g"
    [line] = [v for v in entry.verify if CONDITION in v]
    assert "Act 1" in line and "Art. 9" in line  # the source that sets the condition


def test_a_condition_must_have_a_source() -> None:
    unsourced = record("g", "grant", conditions=[CONDITION])
    assert any("conditions" in p for p in problems(unsourced))
    assert not any("conditions" in p for p in problems(_grant(conditions=[CONDITION])))


def test_the_cef_is_to_check_for_a_city_transport_project() -> None:
    from bench.common import full_snapshot

    profile = make_profile(
        country="FR", sector="transport", stage="deployment", applicant="regional_authority",
        capex={"amount": 300_000_000, "currency": "EUR"}, as_of="2024-09-01",
    )  # fmt: skip
    advice = advise(profile, full_snapshot())
    assert "cef" not in {o.instrument_id for o in advice.options}
    [entry] = [t for t in advice.to_check if t.instrument_id == "cef"]
    assert any("TEN-T" in line and "L5775" in line for line in entry.verify)
