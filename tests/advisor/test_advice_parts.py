"""What advise() builds faster than it once did must be what it built before: the rate in force
read from per-currency rows sorted once per snapshot, a strategy whose weights repeat an earlier
strategy's not solved again, the instruments' terms kept per snapshot, rates and instrument
for the mixes' limits too, the business models scored before the best are written out, the
excluded entries, options and entries to check validated from a dict, and the lines of an
instrument's unconfirmed eligibility kept per snapshot.
"""

from dataclasses import replace
from datetime import date, timedelta

from advisor import engine as runner
from advisor.advice import advise
from advisor.advice_options import (
    STATE_AID,
    TOP_MODELS,
    TOP_REASONS,
    _business_models,
    _excluded,
    _reason,
    _soft_caution,
    assemble,
    terms_for,
    unconfirmed_eligibility,
    unconfirmed_in,
)
from advisor.engine import Finding, terms_of
from advisor.mixes import STRATEGIES, _weight, compose
from advisor.mixes_limits import _cents, _usable
from advisor.mixes_lp import programme
from advisor.models import BusinessModelFit, Excluded, Option, ProjectProfile, ToCheck
from advisor.money import Converter
from bench.common import full_snapshot, golden_profiles, random_profiles
from catalogue.schema import FxRate
from catalogue.snapshot import Snapshot
from tests.advisor.mix_builders import FX_RATES, M, ranked_options, record, shapes
from tests.builders import make_profile

SNAPSHOT = full_snapshot()


def _rate_by_definition(rows: tuple[FxRate, ...], currency: str, on: date) -> FxRate | None:
    """The latest row for `currency` dated on or before `on` (of one date, the last in the
    table), else the earliest row: the definition, read from the rows every time."""
    rates = sorted((r for r in rows if r.currency == currency), key=lambda r: r.date)
    if not rates:
        return None
    before = [r for r in rates if r.date <= on]
    return before[-1] if before else rates[0]


def test_the_rate_in_force_is_the_definitions_on_every_day_of_the_table() -> None:
    rows = SNAPSHOT.fx_rates
    first = min(r.date for r in rows) - timedelta(days=3)
    last = max(r.date for r in rows) + timedelta(days=3)
    for currency in [*sorted({r.currency for r in rows}), "EUR", "XXX"]:
        day = first
        while day <= last:
            assert SNAPSHOT.rate(currency, day) is _rate_by_definition(rows, currency, day)
            day += timedelta(days=5)


def test_rows_out_of_order_and_of_one_date_give_the_definitions_rate() -> None:
    rows = tuple(reversed(FX_RATES))
    one = rows[0]
    twin = one.model_copy(update={"per_eur": one.per_eur * 2})
    table = (*rows, twin)
    snapshot = Snapshot("test", (), (), table)
    for day in (one.date - timedelta(days=1), one.date, one.date + timedelta(days=1)):
        assert snapshot.rate(one.currency, day) is _rate_by_definition(table, one.currency, day)
    assert snapshot.rate(one.currency, one.date) is twin  # of one date, the last in the table


def test_a_replaced_rate_table_is_read_anew() -> None:
    without = replace(SNAPSHOT, fx_rates=tuple(r for r in FX_RATES if r.currency != "NOK"))
    assert without.rate("NOK", date(2026, 1, 1)) is None
    assert "NOK" not in without.rate_currencies
    assert SNAPSHOT.rate("NOK", date(2026, 1, 1)) is not None


def test_a_strategy_weighing_as_an_earlier_one_adds_no_mix_and_would_find_the_same() -> None:
    """Value capture weighs the same under grant-led and loan-led: the loan-led programme is not
    solved again, and solving it (after another strategy's) gives the grant-led answer."""
    records = [
        record("vc1", "value_capture", max_share_of_cost=0.5),
        record("vc2", "value_capture", max_share_of_cost=0.4),
    ]
    profile = make_profile(capex={"amount": 10_000_000, "currency": "EUR"})
    assert profile.as_of is not None
    snapshot = Snapshot("test", tuple(records), (), FX_RATES)
    money = Converter(snapshot, profile.as_of)
    ranks = {r.id: i + 1 for i, r in enumerate(records)}
    scores = {r.id: 2.0 - i for i, r in enumerate(records)}
    options = ranked_options(records, ranks, scores)
    found = compose(options=options, snapshot=snapshot, profile=profile, money=money)
    assert shapes(found) == [{("vc1", "investment"): 5_000_000 * M,
                              ("vc2", "investment"): 4_000_000 * M}]  # fmt: skip

    base = {"investment": _cents(10_000_000), "development": 0}
    usable = _usable(options, snapshot, profile, money, base)
    weights = {s: tuple(_weight(s, u) for u in usable) for s in STRATEGIES}
    assert weights["grant_led"] == weights["loan_led"] != weights["private_led"]
    solver = programme()
    solver.load(usable, base, None)
    grant_led = solver.solve(weights["grant_led"])
    solver.solve(weights["private_led"])
    assert solver.solve(weights["loan_led"]) == grant_led


def test_terms_kept_per_snapshot_rates_and_instrument_are_those_built_afresh() -> None:
    """The terms a mix's limits use are kept by (rates of the ticket currencies, instrument id):
    on dates across the whole rate table (and outside it), they equal the terms built anew."""
    days = sorted({r.date for r in SNAPSHOT.fx_rates})
    for day in [days[0] - timedelta(days=1), *days[::3], days[-1] + timedelta(days=1)]:
        money = Converter(SNAPSHOT, day)
        for rec in SNAPSHOT.instruments:
            kept = terms_for(SNAPSHOT, money, rec)
            assert kept == terms_of(rec, money.to_eur), (day, rec.id)


def _fits_by_definition(snapshot: Snapshot, by_model: dict) -> list:  # type: ignore[type-arg]
    """Every fitting business model written out, sorted by score then id, the best eight."""
    fits = []
    for model in snapshot.business_models:
        own = by_model.get(model.id, [])
        if any(f.kind == "criterion" and f.hard for f in own):
            continue
        scores = sorted((f for f in own if f.kind == "score"), key=lambda f: -f.points)
        cautions = [_reason(f) for f in own if f.kind == "caution"]
        cautions += [_soft_caution(f) for f in own if f.kind == "criterion" and not f.hard]
        fits.append(
            BusinessModelFit(
                id=model.id,
                name=model.name_en,
                score=round(sum(f.points for f in scores), 3),
                reasons=[_reason(f) for f in scores[:TOP_REASONS]],
                cautions=cautions,
            )
        )
    fits.sort(key=lambda m: (-m.score, m.id))
    return fits[:TOP_MODELS]


def _findings(profile: ProjectProfile) -> tuple[Converter, list[Finding]]:
    assert profile.as_of is not None
    money = Converter(SNAPSHOT, profile.as_of)
    project = runner.project_fact(profile, money.to_eur)
    catalogue = runner.catalogue_facts(
        [runner.instrument_fact(r, money.to_eur) for r in SNAPSHOT.instruments],
        [runner.model_fact(m) for m in SNAPSHOT.business_models],
    )
    return money, runner.run_fresh(project, catalogue)


def test_business_models_scored_first_are_the_best_eight_written_out() -> None:
    """Only the best eight models are written out: the same eight, in the same order, with the
    same reasons as when every fitting model is written out and then sorted."""
    for profile in golden_profiles()[:6] + random_profiles(6, seed=3):
        by_model: dict[str, list[Finding]] = {}
        for f in _findings(profile)[1]:
            if f.about == "business_model":
                by_model.setdefault(f.instrument, []).append(f)
        assert _business_models(SNAPSHOT, by_model) == _fits_by_definition(SNAPSHOT, by_model)


def test_an_excluded_entry_is_the_one_built_by_keywords() -> None:
    """The excluded entries, validated from a dict, equal those built by Excluded(...)."""
    for profile in golden_profiles()[:6] + random_profiles(6, seed=4):
        by_instrument: dict[str, list[Finding]] = {}
        for f in _findings(profile)[1]:
            if f.about != "business_model" and f.kind == "criterion" and f.hard:
                by_instrument.setdefault(f.instrument, []).append(f)
        for rec in SNAPSHOT.instruments:
            hard = by_instrument.get(rec.id)
            if not hard:
                continue
            built = _excluded(rec, hard)
            assert type(built) is Excluded
            assert built.model_fields_set == set(Excluded.model_fields)
            assert built == Excluded(**{k: getattr(built, k) for k in Excluded.model_fields})
            assert built.reasons[: len(hard)] == [_reason(f) for f in hard]


def test_options_and_entries_to_check_are_those_built_by_keywords() -> None:
    """Options and entries to check, validated from a dict, equal those built by Option(...) and
    ToCheck(...); their reasons are the best scores first (ties in the findings' order), an
    option's cautions those of its findings (and the state-aid one after them)."""
    for profile in golden_profiles()[:6] + random_profiles(6, seed=5):
        assert profile.as_of is not None
        money, findings = _findings(profile)
        by_instrument: dict[str, list[Finding]] = {}
        for f in findings:
            if f.about != "business_model":
                by_instrument.setdefault(f.instrument, []).append(f)
        project = runner.project_fact(profile, money.to_eur)
        options, to_check, _ = assemble(
            SNAPSHOT, profile, money, project, by_instrument, profile.as_of
        )
        assert options or to_check
        for built in [*options, *to_check]:
            cls = type(built)
            assert cls in (Option, ToCheck)
            assert built.model_fields_set == set(cls.model_fields)
            assert built == cls(**{k: getattr(built, k) for k in cls.model_fields})
            own = by_instrument.get(built.instrument_id, [])
            scores = sorted((f for f in own if f.kind == "score"), key=lambda f: -f.points)
            assert built.reasons == [_reason(f) for f in scores[:TOP_REASONS]]
            if isinstance(built, Option):
                cautions = [_reason(f) for f in own if f.kind == "caution"]
                assert built.cautions in (cautions, [*cautions, STATE_AID])


def test_unconfirmed_lines_kept_per_snapshot_are_those_of_the_record() -> None:
    """An instrument's unconfirmed-eligibility lines are kept per snapshot and instrument id:
    they equal the lines read from the record anew, and another snapshot whose record of that
    id differs gets its own record's lines."""
    for rec in SNAPSHOT.instruments:
        assert unconfirmed_in(SNAPSHOT, rec) == unconfirmed_eligibility(rec)
    rec = next(r for r in SNAPSHOT.instruments if "min_ticket" not in r.unconfirmed)
    changed = rec.model_copy(update={"unconfirmed": [*rec.unconfirmed, "min_ticket"]})
    other = Snapshot(
        SNAPSHOT.revision,
        tuple(changed if r.id == rec.id else r for r in SNAPSHOT.instruments),
        SNAPSHOT.business_models,
        SNAPSHOT.fx_rates,
        SNAPSHOT.coverage,
    )
    lines = unconfirmed_in(other, changed)
    assert lines == unconfirmed_eligibility(changed) != unconfirmed_in(SNAPSHOT, rec)
    assert any(line.startswith("min_ticket: ") for line in lines)


def test_excluded_entries_come_near_misses_first_then_by_instrument_id() -> None:
    """The excluded entries, sorted in two stable passes, are in the order of one sort by
    (not near_miss, instrument_id), whatever the catalogue's order of instruments."""
    shuffled = Snapshot(
        SNAPSHOT.revision + "-reversed",
        tuple(reversed(SNAPSHOT.instruments)),
        SNAPSHOT.business_models,
        SNAPSHOT.fx_rates,
        SNAPSHOT.coverage,
    )
    for profile in golden_profiles()[:4] + random_profiles(4, seed=6):
        for snapshot in (SNAPSHOT, shuffled):
            keys = [(not e.near_miss, e.instrument_id) for e in advise(profile, snapshot).excluded]
            assert keys == sorted(keys)
            assert any(not near for near, _ in keys) and any(near for near, _ in keys)
