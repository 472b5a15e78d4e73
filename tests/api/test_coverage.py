"""GET /v1/coverage, the README's coverage table, and `coverage` in POST /v1/match."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from catalogue.coverage import readme_table
from catalogue.vocabulary import EU27
from tests.builders import profile_data

pytestmark = pytest.mark.db

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _row(item: dict) -> str:  # type: ignore[type-arg]
    covered = "; ".join(f"{f}: {', '.join(ids)}" for f, ids in item["families"].items()) or "-"
    missing = ", ".join(item["missing"]) or "-"
    return f"| {item['country']} | {item['status']} | {covered} | {missing} |"


def test_coverage_lists_every_stated_country(client: TestClient) -> None:
    body = client.get("/v1/coverage").json()
    countries = [item["country"] for item in body["data"]]
    assert body["count"] == len(countries) and countries == sorted(countries)
    assert set(EU27) | {"CN"} <= set(countries)
    cn = next(item for item in body["data"] if item["country"] == "CN")
    assert cn["status"] == "covered" and cn["complete"] is True
    assert "cn_policy_bank_loan" in cn["families"]["loans"]
    for item in body["data"]:
        assert item["complete"] == (item["status"] == "covered")
        assert item["status"] != "covered" or not item["missing"]


def test_the_readme_table_matches_get_coverage(client: TestClient) -> None:
    body = client.get("/v1/coverage").json()
    rows = readme_table(README).splitlines()[2:]
    assert rows == [_row(item) for item in body["data"]]


def test_match_carries_coverage_and_the_warning(client: TestClient) -> None:
    covered = {item["country"] for item in client.get("/v1/coverage").json()["data"]}
    country = next(code for code in ("PE", "BO", "UY", "PY", "EC") if code not in covered)
    response = client.post(
        "/v1/match", json=profile_data(country=country, city="Capital", as_of="2026-11-30")
    )
    assert response.status_code == 200, response.text
    advice = response.json()
    assert advice["coverage"]["country"] == country
    assert advice["coverage"]["status"] == "not_covered"
    assert any(
        w.startswith(f"national instruments of {country} are not in the catalogue")
        for w in advice["warnings"]
    )


def test_match_for_china_is_covered_without_the_warning(client: TestClient) -> None:
    response = client.post(
        "/v1/match", json=profile_data(country="CN", city="Wuhan", as_of="2026-11-30")
    )
    advice = response.json()
    assert advice["coverage"]["status"] == "covered"
    assert not any("national instruments of" in w for w in advice["warnings"])
