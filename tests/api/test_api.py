"""The HTTP API against the real app and its database."""

import pytest
from fastapi.testclient import TestClient

from tests.builders import profile_data

pytestmark = pytest.mark.db


def _error(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field", "details"}
    return body["error"]


def test_health(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["instruments"] > 50
    assert body["catalogue_revision"] and body["ruleset_version"]


def test_instruments_filtered_by_jurisdiction_carry_sources(client: TestClient) -> None:
    body = client.get("/v1/instruments", params={"jurisdiction": "EU"}).json()
    assert body["count"] == len(body["data"]) > 10
    for item in body["data"]:
        assert item["jurisdiction"] == "EU"
        assert item["sources"] and item["name_zh"]


def test_instruments_filter_by_country_and_as_of(client: TestClient) -> None:
    body = client.get("/v1/instruments", params={"country": "CN", "as_of": "2026-11-22"}).json()
    ids = {i["id"] for i in body["data"]}
    assert "cn_franchise" in ids and "cn_ppp_2014" not in ids and "erdf_2021_2027" not in ids


def test_instrument_paging(client: TestClient) -> None:
    body = client.get("/v1/instruments", params={"limit": 5, "offset": 5}).json()
    assert len(body["data"]) == 5 and body["count"] > 10 and body["offset"] == 5


def test_one_instrument_and_the_404_shape(client: TestClient) -> None:
    assert client.get("/v1/instruments/elena").json()["id"] == "elena"
    error = _error(client.get("/v1/instruments/no_such_thing"), 404)
    assert error["code"] == "not_found" and "no_such_thing" in error["message"]


def test_unknown_route_uses_the_error_shape(client: TestClient) -> None:
    assert _error(client.get("/v2/nothing"), 404)["code"] == "not_found"


def test_bad_filter_value_names_the_parameter(client: TestClient) -> None:
    error = _error(client.get("/v1/instruments", params={"jurisdiction": "MARS"}), 422)
    assert error["field"] == "jurisdiction"


def test_business_models_and_vocabulary(client: TestClient) -> None:
    models = client.get("/v1/business-models").json()
    assert models["count"] == len(models["data"]) >= 14
    vocabulary = client.get("/v1/vocabulary").json()
    assert "street_lighting" in vocabulary["sector"] and "EUR" in vocabulary["currency"]


def test_openapi_documents_the_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/health", "/v1/instruments", "/v1/instruments/{instrument_id}",
                 "/v1/business-models", "/v1/vocabulary", "/v1/match"):  # fmt: skip
        assert path in paths


def test_match_returns_ranked_sourced_options(client: TestClient) -> None:
    advice = client.post("/v1/match", json=profile_data()).json()
    assert [o["rank"] for o in advice["options"]] == list(range(1, len(advice["options"]) + 1))
    for option in advice["options"]:
        assert all(r["source"] for r in option["reasons"])
    for excluded in advice["excluded"]:
        assert excluded["reasons"] and all(r["source"] for r in excluded["reasons"])
    assert advice["as_of"] == "2026-11-22" and advice["catalogue_revision"]


def test_match_names_near_misses_and_successors(client: TestClient) -> None:
    data = profile_data(capex={"amount": 18_000_000, "currency": "EUR"}, stage="planning",
                        development_cost={"amount": 900_000, "currency": "EUR"},
                        sector="energy_efficiency")  # fmt: skip
    excluded = {
        e["instrument_id"]: e for e in client.post("/v1/match", json=data).json()["excluded"]
    }
    elena = excluded["elena"]
    assert elena["near_miss"] and "bundle" in elena["would_qualify_if"]
    assert "EUR 18.9m" in elena["would_qualify_if"] and "EUR 30.0m" in elena["would_qualify_if"]
    assert excluded["horizon_2020"]["successor"] == "horizon_europe"


def test_closed_instruments_are_not_recommended_after_their_end(client: TestClient) -> None:
    advice = client.post("/v1/match", json=profile_data(as_of="2026-11-22")).json()
    ids = {o["instrument_id"] for o in advice["options"]}
    assert not ids & {"horizon_2020", "jessica", "erdf_2014_2020", "cn_ppp_2014"}


def test_default_as_of_is_today(client: TestClient) -> None:
    from datetime import date

    data = profile_data()
    del data["as_of"]
    assert client.post("/v1/match", json=data).json()["as_of"] == date.today().isoformat()


def test_amounts_in_another_currency_report_the_rate(client: TestClient) -> None:
    data = profile_data(country="CN", capex={"amount": 80_000_000, "currency": "CNY"})
    advice = client.post("/v1/match", json=data).json()
    assert advice["currency"] == "CNY"
    assert {"CNY", "USD", "GBP"} <= {fx["currency"] for fx in advice["fx"]}
    assert all(o["max_amount"] is None or o["max_amount"]["currency"] == "CNY"
               for o in advice["options"])  # fmt: skip


BAD = [
    ({"colour": "red"}, "colour"),
    ({"sector": "space"}, "sector"),
    ({"country": "XX"}, "country"),
    ({"capex": {"amount": -5, "currency": "EUR"}}, "capex.amount"),
    ({"capex": {"amount": 0, "currency": "EUR"}}, "capex.amount"),
    ({"capex": {"amount": 1e300, "currency": "EUR"}}, "capex.amount"),
    ({"capex": {"amount": "NaN", "currency": "EUR"}}, "capex.amount"),
    ({"capex": {"amount": "Infinity", "currency": "EUR"}}, "capex.amount"),
    ({"capex": {"amount": 5, "currency": "XYZ"}}, "capex.currency"),
    ({"as_of": "2026-02-30"}, "as_of"),
    ({"as_of": "yesterday"}, "as_of"),
    ({"revenue_streams": ["gold"]}, "revenue_streams.0"),
    ({"city_maturity": {"governance": "excellent"}}, "city_maturity.governance"),
    ({"preferences": {"risk_appetite": "extreme"}}, "preferences.risk_appetite"),
    ({"population": -1}, "population"),
]


@pytest.mark.parametrize(("change", "field"), BAD, ids=[b[1] + str(i) for i, b in enumerate(BAD)])
def test_bad_input_is_a_422_naming_the_field(client: TestClient, change: dict, field: str) -> None:
    error = _error(client.post("/v1/match", json=profile_data(**change)), 422)
    assert error["code"] == "validation_error" and error["field"] == field


def test_missing_field_is_named(client: TestClient) -> None:
    data = profile_data()
    del data["sector"]
    assert _error(client.post("/v1/match", json=data), 422)["field"] == "sector"


@pytest.mark.parametrize("body", [b"{not json", b"", b"[1, 2", b"\xff\xfe"])
def test_malformed_json_is_a_400(client: TestClient, body: bytes) -> None:
    response = client.post("/v1/match", content=body, headers={"content-type": "application/json"})
    if body == b"":
        assert response.status_code in (400, 422)
        return
    assert _error(response, 400)["code"] == "invalid_json"


def test_wrong_json_type_is_a_422(client: TestClient) -> None:
    assert _error(client.post("/v1/match", json=[1, 2]), 422)["code"] == "validation_error"


def test_batch_answers_every_item_on_its_own(client: TestClient) -> None:
    items = [profile_data(id="good"), {"id": "bad", "name": "x", "country": "XX"},
             profile_data(sector="transport")]  # fmt: skip
    body = client.post("/v1/match/batch", json={"items": items}).json()
    assert body["count"] == 3 and body["failed"] == 1
    good, bad, third = body["results"]
    assert good["ok"] and good["id"] == "good" and good["advice"]["options"]
    assert not bad["ok"] and bad["advice"] is None
    message = "'XX' is not an ISO 3166-1 alpha-2 country code"
    assert {"field": "country", "message": message} in bad["errors"]
    assert third["ok"] and third["index"] == 2


def test_batch_size_is_limited_and_documented(client: TestClient) -> None:
    limit = client.app.state.settings.max_batch_items
    error = _error(client.post("/v1/match/batch", json={"items": [{}] * (limit + 1)}), 422)
    assert error["field"] == "items" and str(limit) in error["message"]
    assert _error(client.post("/v1/match/batch", json={"items": []}), 422)["field"] == "items"
    assert "/v1/match/batch" in client.get("/openapi.json").json()["paths"]


def test_wrong_method_is_a_405_naming_the_allowed_ones(client: TestClient) -> None:
    response = client.put("/v1/match", json={})
    assert _error(response, 405)["code"] == "method_not_allowed"
    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"as_of": 1700000000}, "as_of"),
        ({"preferences": {"max_private_share": False}}, "preferences.max_private_share"),
        ({"capex": {"amount": "5000000", "currency": "EUR"}}, "capex.amount"),
        ({"population": 12.5}, "population"),
    ],
)
def test_no_lax_coercion_of_numbers_and_dates(client: TestClient, change: dict, field: str) -> None:
    assert _error(client.post("/v1/match", json=profile_data(**change)), 422)["field"] == field


def test_instrument_filter_date_must_be_iso(client: TestClient) -> None:
    assert _error(client.get("/v1/instruments", params={"as_of": "0"}), 422)["field"] == "as_of"
