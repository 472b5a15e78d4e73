"""The engine against an independent checker of docs/eligibility.md, on random profiles.

`tests/advisor/eligibility_oracle.py` is written from the specification and the catalogue data,
not from the engine. For every instrument the two must agree: excluded by the engine exactly
when the checker excludes it, listed under `to_check` exactly when the checker says to check
it. Mix components must not break a hard criterion of their instrument.

Examples: 1,000 profiles (250 for the mix property) under the `ci` Hypothesis profile
(HYPOTHESIS_PROFILE=ci, as tests/advisor/test_properties.py), 150 locally. Marked
`differential`: `-m "not differential"` skips the two comparisons while the engine lags the
specification.
`python -m tests.advisor.test_differential N` prints a tally of disagreements over N profiles.
"""

import json
import os
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.advice import advise
from advisor.models import (
    Advice,
    Excluded,
    Mix,
    MixComponent,
    MoneyOut,
    Option,
    ProjectProfile,
)
from catalogue.datafiles import load
from catalogue.schema import FxRate, InstrumentRecord
from catalogue.snapshot import Snapshot
from catalogue.vocabulary import EU27, VOCABULARY
from tests.advisor.eligibility_oracle import Verdict, check
from tests.advisor.oracle_amounts import rates_on
from tests.builders import make_profile

CI = os.environ.get("HYPOTHESIS_PROFILE") == "ci"
SLOW_OK = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}

DATA = load()
SNAPSHOT = Snapshot(
    revision=DATA.revision,
    instruments=DATA.instruments,
    business_models=DATA.business_models,
    fx_rates=DATA.fx_rates,
)

OTHER_COUNTRIES = [
    "CN", "US", "GB", "NO", "CH", "IS", "KE", "IN", "BR", "JP", "KR", "CA", "AU", "SG", "IL",
    "TR", "RS", "UA", "ZA",
]  # fmt: skip
FIRST, LAST = date(2010, 1, 1), date(2030, 12, 31)
HAS_PREVIOUS_REGION = "region_category_2014_2020" in ProjectProfile.model_fields


def _boundary_dates() -> list[date]:
    """Every date the catalogue turns on, and the day either side: where readings part."""
    days: set[date] = {r.date for r in DATA.fx_rates}
    for rec in DATA.instruments:
        days.update(d for d in (rec.valid_from, rec.valid_to, rec.prohibited_from) if d)
        for window in rec.reach:
            days.update(d for d in (window.valid_from, window.valid_to) if d)
        for key in ("user_pays_only_since", "prohibited_since"):
            if key in rec.params:
                days.add(date.fromisoformat(str(rec.params[key])))
    near = {d + timedelta(days=k) for d in days for k in (-1, 0, 1)}
    return sorted(d for d in near if FIRST <= d <= LAST)


BOUNDARIES = _boundary_dates()


def _money(low: float, high: float) -> st.SearchStrategy[dict[str, Any]]:
    """Log-uniform amounts between 10**low and 10**high, in a supported currency."""
    return st.builds(
        lambda e, c: {"amount": round(10**e, 2), "currency": c},
        st.floats(min_value=low, max_value=high, allow_nan=False),
        st.sampled_from(VOCABULARY["currency"]),
    )


@st.composite
def profiles(draw: st.DrawFn) -> ProjectProfile:
    country = draw(st.one_of(st.sampled_from(EU27), st.sampled_from(OTHER_COUNTRIES)))
    as_of = draw(st.one_of(st.dates(min_value=FIRST, max_value=LAST), st.sampled_from(BOUNDARIES)))
    data: dict[str, Any] = {
        "name": "generated",
        "country": country,
        "sector": draw(st.sampled_from(VOCABULARY["sector"])),
        "sectors": draw(st.lists(st.sampled_from(VOCABULARY["sector"]), max_size=3, unique=True)),
        "stage": draw(st.sampled_from(VOCABULARY["stage"])),
        "capex": draw(_money(4, 10)),
        "revenue_streams": draw(
            st.lists(st.sampled_from(VOCABULARY["revenue_stream"]), max_size=4, unique=True)
        ),
        "applicant": draw(st.sampled_from(VOCABULARY["applicant"])),
        "as_of": as_of.isoformat(),
    }
    if draw(st.booleans()):
        data["development_cost"] = draw(_money(3, 9))
    if country in EU27 and draw(st.booleans()):
        data["region_category"] = draw(st.sampled_from(VOCABULARY["region_category"]))
    if HAS_PREVIOUS_REGION and country in EU27 and draw(st.booleans()):
        data["region_category_2014_2020"] = draw(st.sampled_from(VOCABULARY["region_category"]))
    if draw(st.booleans()):
        data["population"] = draw(
            st.one_of(
                st.integers(min_value=1_000, max_value=30_000_000),
                st.sampled_from([24_999, 25_000, 49_999, 50_000]),
            )
        )
    if draw(st.booleans()):
        data["partners"] = {
            "countries": draw(st.integers(0, 8)),
            "cities": draw(st.integers(0, 12)),
            "industry": draw(st.booleans()),
            "research": draw(st.booleans()),
        }
    return ProjectProfile.model_validate(data)


def _ids(items: Any) -> dict[str, Any]:
    """Entries of an advice list by instrument id (the entries may be models or dicts)."""
    out: dict[str, Any] = {}
    for item in items or []:
        key = item.get("instrument_id") if isinstance(item, dict) else item.instrument_id
        out[key] = item
    return out


def _engine_reasons(item: Any) -> str:
    if item is None:
        return "-"
    data = item if isinstance(item, dict) else item.model_dump(mode="json")
    reasons = data.get("reasons") or []
    told = [f"{r.get('rule')}: {r.get('text')}" for r in reasons if isinstance(r, dict)]
    extra = {k: v for k, v in data.items() if v and k not in {"instrument_id", "name", "reasons"}}
    return "; ".join(told) + (f" {extra}" if extra else "")


def _oracle_reasons(verdict: Verdict) -> str:
    parts = [f"fails {', '.join(verdict.failed)}"] if verdict.failed else []
    parts += list(verdict.to_verify)
    return "; ".join(parts) or "no rule fails"


def _engine_status(iid: str, excluded: dict[str, Any], to_check: dict[str, Any]) -> str:
    if iid in excluded:
        return "excluded"
    return "to_check" if iid in to_check else "eligible"


def disagreements(
    profile: ProjectProfile,
    advice: Advice,
    records: Sequence[InstrumentRecord] = DATA.instruments,
    fx_rates: Sequence[FxRate] = DATA.fx_rates,
) -> list[str]:
    """Instruments the engine and the checker place differently, with both sides' reasons."""
    verdicts = check(profile, records, fx_rates)
    excluded = _ids(advice.excluded)
    to_check = _ids(getattr(advice, "to_check", []))
    lists = {
        "excluded": excluded,
        "to_check": to_check,
        "options": _ids(getattr(advice, "options", [])),
        "also_eligible": _ids(getattr(advice, "also_eligible", [])),
    }
    out = []
    for iid, verdict in verdicts.items():
        listed = [name for name, ids in lists.items() if iid in ids]
        if len(listed) != 1:
            # section 2: every instrument lands in exactly one list
            out.append(f"{iid}: engine lists it in {' and '.join(listed) or 'no list'}")
        engine = _engine_status(iid, excluded, to_check)
        mismatch = (engine == "excluded") != (verdict.status == "excluded") or (
            engine == "to_check"
        ) != (verdict.status == "to_check")
        if mismatch:
            item = excluded.get(iid) or to_check.get(iid)
            out.append(
                f"{iid}: engine {engine} ({_engine_reasons(item)}); "
                f"oracle {verdict.status} ({_oracle_reasons(verdict)})"
            )
    return out


def _shown(profile: ProjectProfile) -> str:
    return json.dumps(profile.model_dump(mode="json", exclude_defaults=True), sort_keys=True)


@pytest.mark.differential
# CI: 1,000 profiles (an advice at 168 instruments costs about 2.5 times what it did at 80)
@settings(max_examples=1000 if CI else 150, **SLOW_OK)
@given(profile=profiles())
def test_engine_and_independent_checker_agree_on_every_instrument(
    profile: ProjectProfile,
) -> None:
    found = disagreements(profile, advise(profile, SNAPSHOT))
    assert not found, f"profile {_shown(profile)}\n" + "\n".join(found)


def mix_violations(
    profile: ProjectProfile,
    advice: Advice,
    records: Sequence[InstrumentRecord] = DATA.instruments,
    fx_rates: Sequence[FxRate] = DATA.fx_rates,
) -> list[str]:
    """Components that break a hard criterion of their instrument (docs/eligibility.md s. 4)."""
    verdicts = check(profile, records, fx_rates)
    by_id = {r.id: r for r in records}
    to_check = _ids(getattr(advice, "to_check", []))
    per_eur = rates_on(fx_rates, advice.as_of)
    out = []
    for mix in advice.mixes:
        per_instrument: dict[str, float] = {}
        per_cost: dict[tuple[str, str], float] = {}
        for comp in mix.components:
            iid = comp.instrument_id
            eur = comp.amount.amount / per_eur[comp.amount.currency]
            slack = 0.01 / per_eur[comp.amount.currency] + 1e-9 * eur
            verdict = verdicts[iid]
            if verdict.status != "eligible":
                out.append(f"{mix.id}: {iid} is {verdict.status}: {_oracle_reasons(verdict)}")
                continue
            if iid in to_check:
                out.append(f"{mix.id}: {iid} is listed to check")
            if comp.covers not in by_id[iid].costs_covered:
                out.append(f"{mix.id}: {iid} does not cover {comp.covers}")
            per_instrument[iid] = per_instrument.get(iid, 0.0) + eur
            key = (iid, comp.covers)
            per_cost[key] = per_cost.get(key, 0.0) + eur
            ceiling = min(verdict.by_cost_eur.get(comp.covers, 0.0), verdict.amount_eur or 0.0)
            if per_cost[key] > ceiling + slack:
                out.append(
                    f"{mix.id}: {iid} funds EUR {per_cost[key]:,.2f} of {comp.covers}, "
                    f"above its ceiling EUR {ceiling:,.2f}"
                )
        for iid, eur in per_instrument.items():
            verdict = verdicts[iid]
            record = by_id[iid]
            slack = 0.01 * len(mix.components) + 1e-9 * eur
            if verdict.amount_eur is not None and eur > verdict.amount_eur + slack:
                out.append(
                    f"{mix.id}: {iid} funds EUR {eur:,.2f}, above EUR {verdict.amount_eur:,.2f}"
                )
            if record.min_ticket is not None:
                ticket = record.min_ticket / per_eur[record.ticket_currency]
                if eur < ticket - slack:
                    out.append(f"{mix.id}: {iid} funds EUR {eur:,.2f}, below its minimum ticket")
    return out


@pytest.mark.differential
@settings(max_examples=250 if CI else 100, **SLOW_OK)
@given(profile=profiles())
def test_no_mix_component_breaks_a_hard_criterion_of_its_instrument(
    profile: ProjectProfile,
) -> None:
    found = mix_violations(profile, advise(profile, SNAPSHOT))
    assert not found, f"profile {_shown(profile)}\n" + "\n".join(found)


# The comparison itself must be able to fail: advice written by hand, one record.
LOAN = InstrumentRecord.model_validate(
    {
        "id": "hand_loan",
        "name_en": "Loan",
        "name_zh": "贷款",
        "kind": "loan",
        "jurisdiction": "GLOBAL",
        "description": "a loan of EUR 5m or more, at most half the project",
        "costs_covered": ["investment"],
        "min_ticket": 5e6,
        "max_share_of_cost": 0.5,
        "status": "active",
        "sources": [{"document": "test", "reference": "built by the test"}],
    }
)


OPTION = Option(
    instrument_id=LOAN.id,
    name="Loan",
    name_zh="贷款",
    kind="loan",
    jurisdiction="GLOBAL",
    rank=1,
    score=1.0,
    status="active",
    reasons=[],
)


def _advice(*amounts: tuple[float, str], excluded: bool = False) -> Advice:
    parts = [
        MixComponent(
            instrument_id=LOAN.id,
            amount=MoneyOut(amount=a, currency="EUR"),
            share=a / 10e6,
            covers=cost,
        )
        for a, cost in amounts
    ]
    funded = sum(a for a, _ in amounts)
    mix = Mix(
        id="m",
        label="repayable finance",
        components=parts,
        funded=MoneyOut(amount=funded, currency="EUR"),
        gap=MoneyOut(amount=10e6 - funded, currency="EUR"),
    )
    out = [Excluded(instrument_id=LOAN.id, name="Loan", reasons=[])] if excluded else []
    listed = [] if excluded else [OPTION]
    return Advice(
        options=listed,
        excluded=out,
        mixes=[mix],
        catalogue_revision="hand",
        ruleset_version="hand",
        as_of=date(2026, 11, 22),
    )


@pytest.mark.parametrize(
    ("amounts", "expected"),
    [
        ([(5e6, "investment")], []),
        ([(5_000_000.05, "investment")], ["above its ceiling"]),
        ([(3e6, "investment"), (2.5e6, "investment")], ["above its ceiling"]),
        ([(4e6, "investment")], ["below its minimum ticket"]),
        ([(5e6, "development")], ["does not cover development"]),
    ],
)
def test_mix_check_catches_a_component_beyond_its_instrument(
    amounts: list[tuple[float, str]], expected: list[str]
) -> None:
    found = mix_violations(make_profile(), _advice(*amounts), [LOAN], [])
    assert [e for e in expected if not any(e in f for f in found)] == []
    assert bool(found) == bool(expected)


def test_comparison_reports_both_sides() -> None:
    profile = make_profile()
    assert disagreements(profile, _advice(excluded=False), [LOAN], []) == []
    found = disagreements(profile, _advice(excluded=True), [LOAN], [])
    assert found == ["hand_loan: engine excluded (); oracle eligible (no rule fails)"]
    listed = SimpleNamespace(excluded=[], to_check=[{"instrument_id": LOAN.id}])
    assert disagreements(profile, listed, [LOAN], []) == [  # type: ignore[arg-type]
        "hand_loan: engine to_check (); oracle eligible (no rule fails)"
    ]
    twice = SimpleNamespace(excluded=[], to_check=[{"instrument_id": LOAN.id}], options=[OPTION])
    assert disagreements(profile, twice, [LOAN], [])[0] == (  # type: ignore[arg-type]
        "hand_loan: engine lists it in to_check and options"
    )
    nowhere = SimpleNamespace(excluded=[], options=[])
    assert disagreements(profile, nowhere, [LOAN], []) == [  # type: ignore[arg-type]
        "hand_loan: engine lists it in no list"
    ]
    small = make_profile(capex={"amount": 1e6, "currency": "EUR"})
    assert disagreements(small, listed, [LOAN], [])[0].endswith(
        "oracle excluded (fails min_ticket)"
    )


def _tally(count: int) -> None:  # pragma: no cover - a maintainer's tool
    import warnings

    from hypothesis.errors import NonInteractiveExampleWarning

    warnings.simplefilter("ignore", NonInteractiveExampleWarning)
    tally: Counter[str] = Counter()
    for _ in range(count):
        profile = profiles().example()
        for line in disagreements(profile, advise(profile, SNAPSHOT)):
            iid, rest = line.split(": ", 1)
            engine = rest.split(" (", 1)[0]
            oracle = rest.split("; oracle ", 1)[1].split(" (", 1)[0]
            tally[f"{iid}: {engine} vs oracle {oracle}"] += 1
    for key, n in tally.most_common():
        print(f"{n:5d}  {key}")


if __name__ == "__main__":  # pragma: no cover
    _tally(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
