"""Request bodies: limits per endpoint (413), JSON only (415), strict JSON (400), and ids that
cannot exist answered 404 before they reach the database (a NUL breaks PostgreSQL's queries).

Runs against the real app with small limits, on SQLite and again on PostgreSQL in CI.
"""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from advisor.settings import Settings
from api.bodies import strict_loads
from api.main import create_app
from tests.builders import profile_data
from tests.conftest import fresh_database_url

pytestmark = pytest.mark.db
LIMITS = {"max_body_bytes": 4096, "max_batch_body_bytes": 16384, "max_job_body_bytes": 32768}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp = Path(tmp_path_factory.mktemp("bodies"))
    url = fresh_database_url(tmp)
    settings = Settings(database_url=url, data_dir=tmp, jobs_worker=False, **LIMITS)
    with TestClient(create_app(settings)) as client:
        yield client


def _error(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert set(response.json()) == {"error"}
    return response.json()["error"]


def _padded(item: dict, size: int) -> dict:  # type: ignore[type-arg]
    """A profile whose JSON is about `size` bytes (the pad is an unknown field, not a limit)."""
    return {**item, "name": "x" * max(0, size - len(json.dumps(item)))}


JSON = {"content-type": "application/json"}


# --- 413 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "limit"),
    [("/v1/match", 4096), ("/v1/match/batch", 16384), ("/v1/jobs", 32768)],
)
def test_each_endpoint_has_its_own_limit(api: TestClient, path: str, limit: int) -> None:
    body = profile_data() if path == "/v1/match" else {"items": [profile_data()]}
    pad = " " * (limit - len(json.dumps(body)))  # whitespace: the same JSON, `limit` bytes
    at_limit = api.post(path, content=json.dumps(body) + pad, headers=JSON)
    assert at_limit.status_code in (200, 202), at_limit.text
    over = api.post(path, content=json.dumps(body) + pad + " ", headers=JSON)
    error = _error(over, 413)
    assert error["code"] == "payload_too_large" and str(limit) in error["message"]
    assert over.headers["connection"] == "close"


def test_a_body_without_a_length_is_counted_as_it_streams(api: TestClient) -> None:
    chunks = (b" " * 1024 for _ in range(64))  # a generator goes out chunked, with no length
    error = _error(api.post("/v1/match", content=chunks, headers=JSON), 413)
    assert error["code"] == "payload_too_large"


def test_a_single_match_is_not_given_the_batch_limit(api: TestClient) -> None:
    body = json.dumps(profile_data()) + " " * 8000  # under the batch limit, over the match one
    assert _error(api.post("/v1/match", content=body, headers=JSON), 413)
    assert api.post("/v1/match/batch", content=json.dumps({"items": [profile_data()]}) + " " * 8000,
                    headers=JSON).status_code == 200  # fmt: skip


# --- 415 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
     "application/xml", "application/jsonx", None],
)  # fmt: skip
@pytest.mark.parametrize("path", ["/v1/match", "/v1/match/batch", "/v1/jobs"])
def test_bodies_other_than_json_answer_415(api: TestClient, path: str, content_type) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps(profile_data() if path == "/v1/match" else {"items": [profile_data()]})
    headers = {"content-type": content_type} if content_type else {}
    error = _error(api.post(path, content=body, headers=headers), 415)  # no header if None
    assert error["code"] == "unsupported_media_type" and "application/json" in error["message"]


@pytest.mark.parametrize(
    "content_type",
    ["application/json; charset=utf-8", "APPLICATION/JSON", "application/vnd.x+json"],
)
def test_json_media_types_are_accepted(api: TestClient, content_type: str) -> None:
    answer = api.post(
        "/v1/match", content=json.dumps(profile_data()), headers={"content-type": content_type}
    )
    assert answer.status_code == 200, answer.text  # fmt: skip


# --- strict JSON ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('{"country": "LT", "country": "DE"}', "duplicate key 'country'"),
        ('{"capex": {"amount": 1, "amount": 2, "currency": "EUR"}}', "duplicate key 'amount'"),
        ('{"items": [{"a": 1}, {"b": 1, "b": 2}]}', "duplicate key 'b'"),
        ('{"capex": {"amount": NaN, "currency": "EUR"}}', "NaN is not a JSON number"),
        ('{"capex": {"amount": Infinity, "currency": "EUR"}}', "Infinity is not a JSON number"),
        ('{"capex": {"amount": 1e400, "currency": "EUR"}}', "out of range"),
        ('{"population": ' + "9" * 5000 + "}", "digits"),
        ("[" * 10_000 + "]" * 10_000, "nested too deeply"),
        ('{"country": "LT"', "Expecting"),
    ],
)
def test_strict_json_refuses_with_the_reason(api: TestClient, body: str, reason: str) -> None:
    for path in ("/v1/match", "/v1/jobs"):
        if len(body) > LIMITS["max_body_bytes"] and path == "/v1/match":
            continue
        error = _error(api.post(path, content=body, headers=JSON), 400)
        assert error["code"] == "invalid_json" and reason in error["message"], error


def test_a_body_that_is_not_utf8_is_refused(api: TestClient) -> None:
    body = json.dumps(profile_data()).encode().replace(b"Vilnius", b"Vil\xffnius")
    error = _error(api.post("/v1/match", content=body, headers=JSON), 400)
    assert error["code"] == "invalid_json" and "not UTF-8" in error["message"]


def test_strict_loads_keeps_what_json_allows() -> None:
    text = '{"a": [1, 2.5, -0.0, 1e308, "\\u0000"], "b": {"a": null}, "c": true}'
    assert strict_loads(text.encode()) == json.loads(text)


# --- ids ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/v1/instruments/elena%00", "/v1/instruments/%00", "/v1/instruments/" + "a" * 5000,
     "/v1/instruments/ELENA", "/v1/jobs/%00", "/v1/jobs/" + "0" * 5000,
     "/v1/jobs/00000000-0000-4000-8000-000000000000%00",
     "/v1/jobs/00000000-0000-4000-8000-000000000000%00/results"],
)  # fmt: skip
def test_ids_that_cannot_exist_answer_404(api: TestClient, path: str) -> None:
    error = _error(api.get(path), 404)
    assert error["code"] == "not_found" and len(error["message"]) < 200


def test_a_well_formed_unknown_job_id_still_answers_404(api: TestClient) -> None:
    assert _error(api.get("/v1/jobs/00000000-0000-4000-8000-000000000000"), 404)


def test_a_job_item_larger_than_one_profile_may_be_is_not_stored(api: TestClient) -> None:
    junk = {"name": "x" * LIMITS["max_body_bytes"]}  # the body fits the job limit, the item not
    answer = api.post("/v1/jobs", json={"items": [profile_data(), junk]})
    error = _error(answer, 422)
    assert error["field"] == "items.1" and str(LIMITS["max_body_bytes"]) in error["message"]
    fits = {"name": "x" * (LIMITS["max_body_bytes"] - 100)}
    assert api.post("/v1/jobs", json={"items": [fits]}).status_code == 202
