"""Currency conversion against the dated reference-rate table itself.

Expected values come from catalogue/data/fx_rates.yaml read here (units of currency per euro,
each row dated), never from the converter: the rate in force on a date is the latest row dated
on or before it, and a date before the first row takes the first row.
"""

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml

from advisor.errors import InvalidInput
from advisor.money import Converter
from catalogue.datafiles import load
from catalogue.snapshot import Snapshot


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    """The catalogue from its data files (here too, so .ci/mutation can run without conftest)."""
    data = load()
    return Snapshot(data.revision, data.instruments, data.business_models, data.fx_rates)


TABLE = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "catalogue" / "data" / "fx_rates.yaml").read_text()
)
PER_EUR = {(row["currency"], row["date"]): row["per_eur"] for row in TABLE}
DATES = sorted({row["date"] for row in TABLE})
FIRST, STUDY, LATEST = DATES  # 2013-05-22, 2014-10-24, 2026-05-08 as the table stands


def test_the_table_has_the_rows_these_tests_rely_on() -> None:
    assert [date(2013, 5, 22), date(2014, 10, 24), date(2026, 5, 8)] == [FIRST, STUDY, LATEST]
    for day in DATES:
        assert {c for c, d in PER_EUR if d == day} == {"EUR", "USD", "GBP", "CNY"}
        assert PER_EUR[("EUR", day)] == 1.0


# (advice date, the table row in force on it)
IN_FORCE = [
    (date(2000, 1, 1), FIRST),  # before the first row: the first row
    (date(2013, 5, 21), FIRST),
    (date(2013, 5, 22), FIRST),
    (date(2014, 10, 23), FIRST),
    (date(2014, 10, 24), STUDY),
    (date(2020, 6, 30), STUDY),
    (date(2026, 5, 7), STUDY),
    (date(2026, 5, 8), LATEST),
    (date(2026, 11, 22), LATEST),
    (date(2100, 12, 31), LATEST),
]


@pytest.fixture(scope="module")
def converters(snapshot: Snapshot) -> dict[date, Converter]:
    return {on: Converter(snapshot, on) for on, _ in IN_FORCE}


@pytest.mark.parametrize("currency", ["USD", "GBP", "CNY"])
@pytest.mark.parametrize(("on", "row"), IN_FORCE, ids=[str(on) for on, _ in IN_FORCE])
def test_to_eur_divides_by_the_rate_in_force(
    converters: dict[date, Converter], on: date, row: date, currency: str
) -> None:
    rate = PER_EUR[(currency, row)]
    money = converters[on]
    assert money.to_eur(1_000_000.0, currency) == pytest.approx(1_000_000.0 / rate, rel=1e-12)
    assert money.to_eur(rate, currency) == pytest.approx(1.0, rel=1e-12)
    # never the amount unconverted: every rate in the table is away from 1
    assert abs(money.to_eur(1_000_000.0, currency) - 1_000_000.0) > 1_000


@pytest.mark.parametrize("currency", ["USD", "GBP", "CNY"])
@pytest.mark.parametrize(("on", "row"), IN_FORCE, ids=[str(on) for on, _ in IN_FORCE])
def test_from_eur_multiplies_by_the_rate_in_force(
    converters: dict[date, Converter], on: date, row: date, currency: str
) -> None:
    rate = PER_EUR[(currency, row)]
    assert converters[on].from_eur(1_000_000.0, currency) == pytest.approx(
        1_000_000.0 * rate, rel=1e-12
    )


def test_worked_examples(converters: dict[date, Converter]) -> None:
    """Amounts a reader can check by hand against the table's rows."""
    today = converters[date(2026, 11, 22)]
    assert today.to_eur(7_998_900.0, "CNY") == pytest.approx(1_000_000.0)  # 7.9989 CNY per EUR
    assert today.to_eur(1_176_100.0, "USD") == pytest.approx(1_000_000.0)  # 1.1761
    assert today.from_eur(1_000_000.0, "GBP") == pytest.approx(864_100.0)  # 0.86410
    study = converters[date(2014, 10, 24)]
    assert study.to_eur(7_742_600.0, "CNY") == pytest.approx(1_000_000.0)  # 7.7426
    assert study.from_eur(1_000_000.0, "USD") == pytest.approx(1_265_900.0)  # 1.2659
    early = converters[date(2000, 1, 1)]
    assert early.from_eur(1_000_000.0, "GBP") == pytest.approx(855_700.0)  # 0.85570


@pytest.mark.parametrize(("on", "row"), IN_FORCE, ids=[str(on) for on, _ in IN_FORCE])
def test_euro_is_never_converted(converters: dict[date, Converter], on: date, row: date) -> None:
    assert converters[on].to_eur(1234.56, "EUR") == 1234.56
    assert converters[on].from_eur(1234.56, "EUR") == 1234.56


@pytest.mark.parametrize(("on", "row"), IN_FORCE, ids=[str(on) for on, _ in IN_FORCE])
def test_cross_currency_through_the_euro(
    converters: dict[date, Converter], on: date, row: date
) -> None:
    """CNY to USD is CNY / (CNY per EUR) * (USD per EUR), both rates of the same date."""
    money = converters[on]
    expected = 5_000_000.0 / PER_EUR[("CNY", row)] * PER_EUR[("USD", row)]
    assert money.from_eur(money.to_eur(5_000_000.0, "CNY"), "USD") == pytest.approx(expected)


@pytest.mark.parametrize(("on", "row"), IN_FORCE, ids=[str(on) for on, _ in IN_FORCE])
def test_fx_used_lists_every_rate_in_force_with_its_source(
    converters: dict[date, Converter], on: date, row: date
) -> None:
    used = converters[on].fx_used()
    assert [fx.currency for fx in used] == sorted({c for c, _ in PER_EUR})
    for fx in used:
        assert fx.date == row
        assert fx.per_eur == PER_EUR[(fx.currency, row)]
        source = next(
            r["source"] for r in TABLE if r["currency"] == fx.currency and r["date"] == row
        )
        assert source["document"] in fx.source and source["url"] in fx.source


def test_key_names_the_rates_in_force(converters: dict[date, Converter]) -> None:
    """Engines are cached by this key: two dates with the same rows share it, others do not."""
    assert converters[date(2014, 10, 24)].key() == converters[date(2026, 5, 7)].key()
    assert converters[date(2026, 5, 7)].key() != converters[date(2026, 5, 8)].key()
    assert ("USD", LATEST.isoformat(), PER_EUR[("USD", LATEST)]) in converters[
        date(2026, 5, 8)
    ].key()


def test_a_currency_without_a_rate_is_invalid_input(snapshot: Snapshot) -> None:
    without_gbp = replace(
        snapshot, fx_rates=tuple(r for r in snapshot.fx_rates if r.currency != "GBP")
    )
    money = Converter(without_gbp, date(2026, 11, 22))
    with pytest.raises(InvalidInput) as raised:
        money.to_eur(100.0, "GBP", field="capex.currency")
    assert raised.value.field == "capex.currency"
    assert "GBP" in raised.value.message
    with pytest.raises(InvalidInput):
        money.from_eur(100.0, "GBP")
    assert "GBP" not in {fx.currency for fx in money.fx_used()}
    assert money.to_eur(100.0, "EUR") == 100.0  # the euro needs no row


def test_the_field_is_named_not_positional(converters: dict[date, Converter]) -> None:
    """`field` names the input an error points at; passed by position it could be mistaken for
    an amount or a currency, so it is keyword-only."""
    with pytest.raises(TypeError):
        converters[date(2026, 11, 22)].to_eur(100.0, "USD", "capex.currency")  # type: ignore[misc]
