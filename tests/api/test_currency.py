"""The answer in the project's own currency, through the API: the vocabulary serves every
currency, and `fx` states the rate in force on the advice date with its date.

Expected rates come from catalogue/data/fx_rates.yaml read here (the latest row dated on or
before the advice date), never from the engine.
"""

from datetime import date
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from tests.advisor.test_money import CURRENCIES
from tests.builders import profile_data

TABLE = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "catalogue" / "data" / "fx_rates.yaml").read_text()
)


def rate_in_force(currency: str, on: date) -> tuple[date, float]:
    rows = sorted((r["date"], r["per_eur"]) for r in TABLE if r["currency"] == currency)
    before = [r for r in rows if r[0] <= on]
    return before[-1] if before else rows[0]


def test_the_vocabulary_endpoint_serves_every_currency(client: TestClient) -> None:
    assert client.get("/v1/vocabulary").json()["currency"] == CURRENCIES


PROJECTS = [
    ("NO", "NOK", date(2014, 8, 1)),
    ("NO", "NOK", date(2026, 11, 22)),
    ("IN", "INR", date(2014, 8, 1)),
    ("IN", "INR", date(2026, 11, 22)),
    ("KE", "KES", date(2014, 8, 1)),
    ("KE", "KES", date(2026, 11, 22)),
]


@pytest.mark.parametrize(
    ("country", "currency", "on"), PROJECTS, ids=[f"{c}-{on.year}" for _, c, on in PROJECTS]
)
def test_the_answer_states_the_project_currency_and_its_rate(
    client: TestClient, country: str, currency: str, on: date
) -> None:
    data = profile_data(
        country=country,
        city=None,
        capex={"amount": 500_000_000, "currency": currency},
        as_of=on.isoformat(),
    )
    response = client.post("/v1/match", json=data)
    assert response.status_code == 200, response.text
    advice = response.json()
    assert advice["currency"] == currency
    day, per_eur = rate_in_force(currency, on)
    assert day.year == on.year  # the table has a row of these years for these currencies
    fx = next(f for f in advice["fx"] if f["currency"] == currency)
    assert (fx["per_eur"], fx["date"], fx["note"]) == (per_eur, day.isoformat(), None)
    assert any(currency in w and "`fx`" in w for w in advice["warnings"])
    assert not any(w.startswith("exchange rate:") for w in advice["warnings"])
    for option in advice["options"]:
        if option["max_amount"] is not None:
            assert option["max_amount"]["currency"] == currency
    for mix in advice["mixes"]:
        assert mix["gap"]["currency"] == currency


def test_a_kes_project_in_2024_is_told_which_earlier_rate_was_used(client: TestClient) -> None:
    """The table has no KES row of 2024 (no Central Bank of Kenya figure of early January 2024
    was found): the 2023 row is used, and both `fx` and a warning say so."""
    data = profile_data(
        country="KE", city=None, capex={"amount": 500_000_000, "currency": "KES"},
        as_of="2024-06-30",
    )  # fmt: skip
    advice = client.post("/v1/match", json=data).json()
    day, per_eur = rate_in_force("KES", date(2024, 6, 30))
    assert day.year == 2023
    fx = next(f for f in advice["fx"] if f["currency"] == "KES")
    assert (fx["per_eur"], fx["date"]) == (per_eur, day.isoformat())
    assert fx["note"] and day.isoformat() in fx["note"]
    assert any(w.startswith("exchange rate:") and day.isoformat() in w for w in advice["warnings"])
