"""The answer in the project's own currency, through the API: the vocabulary serves every
currency, the answer states its currency and, in `fx`, the rate it used with its date, and a
warning says when that rate is of an earlier year.

Which rate is in force on a date (the latest row of catalogue/data/fx_rates.yaml dated on or
before it) is the converter's, tested against the table in tests/advisor/test_money.py for the
same projects; here, what the API answer says about it.
"""

from datetime import date

import pytest
from fastapi.testclient import TestClient

from tests.advisor.test_money import CURRENCIES, PROJECTS
from tests.builders import profile_data


def test_the_vocabulary_endpoint_serves_every_currency(client: TestClient) -> None:
    assert client.get("/v1/vocabulary").json()["currency"] == CURRENCIES


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
    fx = next(f for f in advice["fx"] if f["currency"] == currency)
    # the table has a row of these years for these currencies: a rate of the year, no note
    day = date.fromisoformat(fx["date"])
    assert day.year == on.year and day <= on
    assert fx["per_eur"] > 0 and fx["source"] and fx["note"] is None
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
    fx = next(f for f in advice["fx"] if f["currency"] == "KES")
    assert date.fromisoformat(fx["date"]).year == 2023
    assert fx["note"] and fx["date"] in fx["note"]
    assert any(w.startswith("exchange rate:") and fx["date"] in w for w in advice["warnings"])
