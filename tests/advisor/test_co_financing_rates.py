"""The co-financing rate of CPR 2021/1060 Art. 112(3) by region category, with the 2014-2020
category that raises it only where the law says, stated as the ERDF grant's maximum.

The expected rate comes from the law's table written out below, through the independent oracle
of advice_checks.py, never from rules/ceilings.py.
"""

import pytest

from advisor.advice import advise
from advisor.models import ProjectProfile
from catalogue.datafiles import load
from catalogue.snapshot import Snapshot
from tests.advisor.advice_checks import applicable_rate, check_ceilings, check_grant_ceilings_stated

SNAPSHOT = Snapshot(*(lambda d: (d.revision, d.instruments, d.business_models, d.fx_rates))(load()))

# CPR 2021/1060 Art. 112(3) as docs/eligibility.md section 3 states it: more developed 40%, or
# 50% for regions that were transition or less developed in 2014-2020; transition 60%, or 70%
# for regions that were less developed; less developed 85%.
ART_112_3 = [
    {"rate": 0.40, "region_category": "more_developed"},
    {"rate": 0.50, "region_category": "more_developed",
     "previous_region_category": ["transition", "less_developed"]},
    {"rate": 0.60, "region_category": "transition"},
    {"rate": 0.70, "region_category": "transition",
     "previous_region_category": ["less_developed"]},
    {"rate": 0.85, "region_category": "less_developed"},
]  # fmt: skip


def _with_art_112_3(snapshot: Snapshot, instrument_id: str) -> Snapshot:
    record = snapshot.instrument(instrument_id)
    assert record is not None
    changed = record.model_validate({**record.model_dump(), "co_financing": ART_112_3})
    return Snapshot(
        revision=f"{snapshot.revision}+art112",
        instruments=tuple(changed if r.id == instrument_id else r for r in snapshot.instruments),
        business_models=snapshot.business_models,
        fx_rates=snapshot.fx_rates,
    )


@pytest.mark.parametrize(
    ("region", "previous", "rate"),
    [
        ("more_developed", None, 0.40),
        ("more_developed", "more_developed", 0.40),
        ("more_developed", "transition", 0.50),
        ("more_developed", "less_developed", 0.50),
        ("transition", None, 0.60),
        ("transition", "transition", 0.60),
        ("transition", "less_developed", 0.70),
        ("less_developed", None, 0.85),
        ("less_developed", "less_developed", 0.85),
        (None, None, 0.40),  # not given: the lowest
        (None, "less_developed", 0.40),
    ],
)
def test_the_previous_region_category_raises_the_rate_only_where_the_law_says(
    region: str | None, previous: str | None, rate: float
) -> None:
    snapshot = _with_art_112_3(SNAPSHOT, "erdf_2021_2027")
    data: dict[str, object] = {
        "name": "Art. 112(3)", "country": "PL", "sector": "street_lighting",
        "stage": "deployment", "capex": {"amount": 10_000_000, "currency": "EUR"},
        "applicant": "municipality", "as_of": "2026-11-22",
    }  # fmt: skip
    if region:
        data["region_category"] = region
    if previous:
        data["region_category_2014_2020"] = previous
    profile = ProjectProfile.model_validate(data)
    record = snapshot.instrument("erdf_2021_2027")
    assert record is not None
    assert applicable_rate(record, "investment", profile) == rate  # the oracle reads the law
    advice = advise(profile, snapshot)
    stated = {o.instrument_id: o for o in [*advice.options, *advice.to_check]}
    assert "erdf_2021_2027" in stated, "ERDF 2021-2027 is neither an option nor one to check"
    amount = stated["erdf_2021_2027"].max_amount
    assert amount is not None
    assert amount.amount == pytest.approx(rate * 10_000_000)
    check_grant_ceilings_stated(advice, profile, snapshot)
    check_ceilings(advice, profile, snapshot)
