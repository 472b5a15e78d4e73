"""The dated reference-rate table, read here straight from catalogue/data/fx_rates.yaml and never
through advisor/money.py, so that tests can compute expected amounts independently of the code
under test."""

from datetime import date
from pathlib import Path

import yaml

TABLE = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "catalogue" / "data" / "fx_rates.yaml").read_text()
)


def per_eur(currency: str, on: date) -> float:
    """Units of `currency` per euro in force on `on`: the latest row dated on or before it (the
    first row before the table starts); the euro is the table's base, one per euro."""
    if currency == "EUR":
        return 1.0
    rows = sorted((r for r in TABLE if r["currency"] == currency), key=lambda r: r["date"])
    before = [r for r in rows if r["date"] <= on]
    return float((before[-1] if before else rows[0])["per_eur"])


def in_currency(amount: float, unit: str, currency: str, on: date) -> float:
    return amount / per_eur(unit, on) * per_eur(currency, on)
