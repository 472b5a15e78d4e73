"""Currency conversion against the dated reference-rate table itself.

Expected values come from catalogue/data/fx_rates.yaml read here (units of currency per euro,
each row dated), never from the converter: the rate in force on a date is the latest row dated
on or before it, and a date before a currency's first row takes that first row (flagged).
The table's convention (its header): the ECB reference rates of the first working day of each
year 2014-2026; KES cross-rated via USD from the Central Bank of Kenya's rate.
"""

import math
import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from advisor.errors import InvalidInput
from advisor.mixes import compose
from advisor.models import Option
from advisor.money import Converter
from catalogue.datafiles import load
from catalogue.schema import InstrumentRecord
from catalogue.snapshot import Snapshot
from catalogue.vocabulary import VOCABULARY, Currency, codes
from tests.builders import make_profile


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    """The catalogue from its data files (here too, so .ci/mutation can run without conftest)."""
    data = load()
    return Snapshot(data.revision, data.instruments, data.business_models, data.fx_rates)


TABLE = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "catalogue" / "data" / "fx_rates.yaml").read_text()
)
PER_EUR = {(row["currency"], row["date"]): row["per_eur"] for row in TABLE}
ROWS: dict[str, list[date]] = {}
for _row in TABLE:
    ROWS.setdefault(_row["currency"], []).append(_row["date"])
for _dates in ROWS.values():
    _dates.sort()

# The issue's list, in its order (issue 11, Deliver 3; CONTRACT_11.md).
CURRENCIES = [
    "EUR", "CNY", "USD", "GBP", "CHF", "NOK", "SEK", "DKK", "PLN", "CZK", "HUF", "RON", "INR",
    "KES", "KRW", "JPY", "BRL",
]  # fmt: skip
ECB = [c for c in CURRENCIES if c not in {"EUR", "KES"}]
YEARS = range(2014, 2027)
# (currency, year) the table leaves out because no published figure was found (its header).
MISSING = {("KES", 2024)}


def in_force(currency: str, on: date) -> date:
    """The table row in force: the latest dated on or before `on`, else the first."""
    rows = ROWS[currency]
    before = [d for d in rows if d <= on]
    return before[-1] if before else rows[0]


# --- the vocabulary ------------------------------------------------------------------------


def test_the_currency_vocabulary_is_the_issues_list_in_its_order() -> None:
    assert codes(Currency) == CURRENCIES
    assert VOCABULARY["currency"] == CURRENCIES


# --- the table -----------------------------------------------------------------------------


def test_every_currency_but_the_euro_has_a_row_for_every_year_but_the_missing_ones() -> None:
    assert set(ROWS) == set(CURRENCIES) - {"EUR"}
    for currency in ROWS:
        years = [d.year for d in ROWS[currency]]
        assert len(years) == len(set(years)), f"{currency}: one row a year"
        expected = {y for y in YEARS if (currency, y) not in MISSING}
        assert set(years) == expected, currency


def test_the_ecb_rows_are_of_one_day_a_year_the_first_working_day() -> None:
    """Every ECB currency shares the year's date, a weekday in the first days of January (the
    ECB publishes no rate on 1 January nor at weekends)."""
    for year in YEARS:
        days = {d for c in ECB for d in ROWS[c] if d.year == year}
        assert len(days) == 1, (year, days)
        (day,) = days
        assert day.month == 1 and 2 <= day.day <= 4 and day.weekday() < 5, day


def test_every_row_names_its_source_and_date() -> None:
    for row in TABLE:
        source = row["source"]
        assert source["url"] and source["supports"] == ["per_eur"]
        assert str(row["date"]) in source["reference"] or row["currency"] == "KES"
        assert row["per_eur"] > 0
        if row["currency"] == "KES":
            # a cross rate names both figures: the CBK's KES per USD and the ECB's USD per EUR
            usd = PER_EUR.get(("USD", row["date"]))
            assert "per US" in source["reference"] or "US DOLLAR" in source["reference"]
            assert "ECB" in source["reference"]
            if usd is not None:
                assert str(usd) in source["reference"]


def test_the_kes_cross_rate_is_the_product_of_its_two_figures() -> None:
    """KES per EUR = KES per USD (CBK) x USD per EUR (ECB), rounded to 4 decimals; the two
    figures are read back from the row's own reference."""
    for row in (r for r in TABLE if r["currency"] == "KES"):
        ref = row["source"]["reference"]
        kes_per_usd = float(re.search(r"(?:mean|KSh) ([0-9.]+)", ref).group(1))  # type: ignore[union-attr]
        usd_per_eur = float(re.search(r"USD ([0-9.]+) per EUR", ref).group(1))  # type: ignore[union-attr]
        assert row["per_eur"] == pytest.approx(kes_per_usd * usd_per_eur, abs=0.00005), ref


# --- the rate in force ---------------------------------------------------------------------

DATES = [
    date(2000, 1, 1),  # before the table: the first row, flagged
    date(2014, 1, 1),
    date(2014, 1, 2),
    date(2014, 8, 1),  # the seed study's date
    date(2017, 1, 2),
    date(2017, 1, 3),
    date(2020, 6, 30),
    date(2024, 6, 30),  # KES has no 2024 row: its 2023 row, flagged
    date(2026, 1, 2),
    date(2026, 1, 7),
    date(2026, 1, 8),
    date(2026, 11, 22),
    date(2100, 12, 31),
]


@pytest.fixture(scope="module")
def converters(snapshot: Snapshot) -> dict[date, Converter]:
    return {on: Converter(snapshot, on) for on in DATES}


@pytest.mark.parametrize("currency", CURRENCIES[1:])
@pytest.mark.parametrize("on", DATES, ids=[str(on) for on in DATES])
def test_conversion_uses_the_rate_in_force(
    converters: dict[date, Converter], on: date, currency: str
) -> None:
    rate = PER_EUR[(currency, in_force(currency, on))]
    money = converters[on]
    assert money.to_eur(1_000_000.0, currency) == pytest.approx(1_000_000.0 / rate, rel=1e-12)
    assert money.from_eur(1_000_000.0, currency) == pytest.approx(1_000_000.0 * rate, rel=1e-12)
    # never the amount unconverted: every rate in the table is away from 1
    assert abs(money.to_eur(1_000_000.0, currency) - 1_000_000.0) > 1_000


@pytest.mark.parametrize("on", DATES, ids=[str(on) for on in DATES])
def test_fx_states_each_rate_its_date_source_and_why_it_is_not_of_the_year(
    converters: dict[date, Converter], on: date
) -> None:
    used = {fx.currency: fx for fx in converters[on].fx_used()}
    assert sorted(used) == sorted(ROWS)
    for currency, fx in used.items():
        row = in_force(currency, on)
        assert (fx.date, fx.per_eur) == (row, PER_EUR[(currency, row)])
        source = next(r["source"] for r in TABLE if (r["currency"], r["date"]) == (currency, row))
        assert source["document"] in fx.source and source["url"] in fx.source
        if row > on:
            assert fx.note and "earliest" in fx.note and row.isoformat() in fx.note
        elif row.year < on.year:
            assert fx.note and "nearest earlier" in fx.note and row.isoformat() in fx.note
        else:
            assert fx.note is None


def test_kes_in_2024_falls_back_to_the_2023_row_and_says_so(
    converters: dict[date, Converter],
) -> None:
    kes = next(fx for fx in converters[date(2024, 6, 30)].fx_used() if fx.currency == "KES")
    assert kes.date == date(2023, 1, 3)
    assert kes.note is not None and "2023-01-03" in kes.note and "2024" in kes.note


def test_euro_is_never_converted(converters: dict[date, Converter]) -> None:
    for money in converters.values():
        assert money.to_eur(1234.56, "EUR") == 1234.56
        assert money.from_eur(1234.56, "EUR") == 1234.56


@pytest.mark.parametrize("on", DATES, ids=[str(on) for on in DATES])
def test_cross_currency_through_the_euro(converters: dict[date, Converter], on: date) -> None:
    """INR to KES is INR / (INR per EUR) * (KES per EUR), each at its own rate in force."""
    money = converters[on]
    expected = (
        5_000_000.0 / PER_EUR[("INR", in_force("INR", on))] * PER_EUR[("KES", in_force("KES", on))]
    )
    assert money.from_eur(money.to_eur(5_000_000.0, "INR"), "KES") == pytest.approx(expected)


def test_key_names_the_rates_in_force(converters: dict[date, Converter]) -> None:
    """Engines are cached by this key: two dates with the same rows share it, others do not."""
    assert converters[date(2014, 1, 2)].key() == converters[date(2014, 8, 1)].key()
    assert converters[date(2026, 1, 7)].key() != converters[date(2026, 1, 8)].key()
    assert ("KES", "2026-01-08", PER_EUR[("KES", date(2026, 1, 8))]) in converters[
        date(2026, 1, 8)
    ].key()


def test_facts_key_names_the_rates_of_the_given_currencies_only(
    converters: dict[date, Converter], snapshot: Snapshot
) -> None:
    """Instrument facts are cached by this key: they convert from their tickets' currencies
    only, so a date where only another currency's rate changed (KES on 2026-01-08) shares it."""
    tickets = {r.ticket_currency for r in snapshot.instruments}
    assert snapshot.ticket_currencies == tickets
    euro_only = replace(
        snapshot, instruments=tuple(r for r in snapshot.instruments if r.ticket_currency == "EUR")
    )
    assert euro_only.ticket_currencies == {"EUR"}
    assert snapshot.ticket_currencies == tickets
    assert "KES" not in tickets
    early, late = converters[date(2026, 1, 7)], converters[date(2026, 1, 8)]
    assert early.key_for(tickets) == late.key_for(tickets)
    assert early.key_for(tickets | {"KES"}) != late.key_for(tickets | {"KES"})
    on = date(2014, 1, 2)
    assert ("CNY", PER_EUR[("CNY", in_force("CNY", on))]) in converters[on].key_for(tickets)
    assert converters[on].key_for(tickets) != late.key_for(tickets)
    assert all(currency != "EUR" for currency, _ in late.key_for(tickets))


def test_a_currency_without_a_rate_is_invalid_input(snapshot: Snapshot) -> None:
    without_nok = replace(
        snapshot, fx_rates=tuple(r for r in snapshot.fx_rates if r.currency != "NOK")
    )
    money = Converter(without_nok, date(2026, 11, 22))
    with pytest.raises(InvalidInput) as raised:
        money.to_eur(100.0, "NOK", field="capex.currency")
    assert raised.value.field == "capex.currency"
    assert "NOK" in raised.value.message
    with pytest.raises(InvalidInput):
        money.from_eur(100.0, "NOK")
    assert "NOK" not in {fx.currency for fx in money.fx_used()}
    assert money.to_eur(100.0, "EUR") == 100.0  # the euro needs no row


def test_the_field_is_named_not_positional(converters: dict[date, Converter]) -> None:
    """`field` names the input an error points at; passed by position it could be mistaken for
    an amount or a currency, so it is keyword-only."""
    with pytest.raises(TypeError):
        converters[date(2026, 11, 22)].to_eur(100.0, "USD", "capex.currency")  # type: ignore[misc]


# --- projects priced in their own currency -------------------------------------------------
#
# A grant of 100% of the cost capped at EUR 1,000,000 on a project of 50,000,000,000 in the
# project's own currency (large enough that the cap binds in every currency here): the mix's
# grant line is the cap in the project currency, 1,000,000 x (currency per EUR in force on the
# advice date), in whole cents rounded down (advisor/mixes.py works in cents of the project
# currency and never rounds a limit up).

PROJECTS = [
    ("NO", "NOK", date(2014, 8, 1)),
    ("NO", "NOK", date(2026, 11, 22)),
    ("IN", "INR", date(2014, 8, 1)),
    ("IN", "INR", date(2026, 11, 22)),
    ("KE", "KES", date(2014, 8, 1)),
    ("KE", "KES", date(2026, 11, 22)),
]

SOURCE = {"document": "test", "reference": "synthetic record", "supports": []}


def _capped_grant() -> InstrumentRecord:
    return InstrumentRecord.model_validate(
        {
            "id": "capped_grant",
            "name_en": "capped grant",
            "name_zh": "capped grant",
            "kind": "grant",
            "jurisdiction": "GLOBAL",
            "description": "test instrument",
            "costs_covered": ["investment"],
            "status": "active",
            "co_financing": [{"rate": 1.0}],
            "max_ticket": 1_000_000,
            "ticket_currency": "EUR",
            "sources": [SOURCE],
        }
    )


def _option(record: InstrumentRecord) -> Option:
    data: dict[str, Any] = {
        "instrument_id": record.id,
        "name": record.id,
        "name_zh": record.id,
        "kind": record.kind,
        "jurisdiction": record.jurisdiction,
        "rank": 1,
        "score": 1.0,
        "status": "active",
        "reasons": [],
    }
    return Option.model_validate(data)


@pytest.mark.parametrize(
    ("country", "currency", "on"), PROJECTS, ids=[f"{c}-{on.year}" for _, c, on in PROJECTS]
)
def test_a_euro_cap_is_stated_in_the_project_currency_at_the_rate_of_the_advice_date(
    snapshot: Snapshot, country: str, currency: str, on: date
) -> None:
    row = in_force(currency, on)
    assert row.year == on.year  # 2014 and 2026 rows exist for these currencies
    rate = PER_EUR[(currency, row)]
    profile = make_profile(
        country=country,
        city=None,
        capex={"amount": 50_000_000_000, "currency": currency},
        as_of=on.isoformat(),
    )
    grant = _capped_grant()
    synthetic = Snapshot("test", (grant,), (), snapshot.fx_rates)
    money = Converter(synthetic, on)
    found = compose(options=[_option(grant)], snapshot=synthetic, profile=profile, money=money)
    assert found, "the capped grant makes a mix"
    line = next(c for c in found[0].components if c.instrument_id == "capped_grant")
    assert line.amount.currency == currency
    assert round(line.amount.amount * 100) == math.floor(1_000_000 * rate * 100)
    assert found[0].gap.amount == pytest.approx(50_000_000_000 - line.amount.amount, abs=0.01)
    fx = next(f for f in money.fx_used() if f.currency == currency)
    assert (fx.per_eur, fx.date, fx.note) == (rate, row, None)
