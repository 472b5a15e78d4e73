"""Hostile input through the real app: whatever is sent, the answer is never a 5xx.

Oversize bodies, deep nesting, NUL characters, invalid UTF-8, duplicate keys, wrong content
types, numbers out of range, wrong shapes and methods, in bodies, paths and queries. On SQLite
here and on PostgreSQL in CI (which refuses NULs and out-of-range integers in its own way).
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from advisor.settings import Settings
from api.main import create_app
from tests.builders import profile_data
from tests.conftest import fresh_database_url

pytestmark = pytest.mark.db
JOB = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp = Path(tmp_path_factory.mktemp("hostile"))
    url = fresh_database_url(tmp)
    app = create_app(Settings(database_url=url, data_dir=tmp, jobs_worker=False))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _nest(depth: int, leaf: Any = 1) -> Any:
    for _ in range(depth):
        leaf = [leaf]
    return leaf


def _profile(**changes: Any) -> str:
    return json.dumps({**profile_data(), **changes})


def _bodies() -> list[tuple[str, str, bytes | str, str | None]]:
    """(id, path, body, content type) for the POST endpoints."""
    p, j = "/v1/match", "application/json"
    cases: list[tuple[str, str, bytes | str, str | None]] = [
        ("oversize-match", p, _profile(name="x" * 200_000), j),
        ("oversize-batch", "/v1/match/batch", json.dumps({"items": [profile_data()] * 30_000}), j),
        ("too-many-batch-items", "/v1/match/batch", json.dumps({"items": [{}] * 501}), j),
        ("deep-body", p, "[" * 50_000 + "]" * 50_000, j),
        ("deep-field", p, _profile(capex=_nest(900)), j),
        ("deep-job-item", "/v1/jobs", json.dumps({"items": [_nest(900)]}), j),
        (
            "deep-job-item-dict",
            "/v1/jobs",
            '{"items": [' + '{"a":' * 900 + "1" + "}" * 900 + "]}",
            j,
        ),
        ("nul-value", p, _profile(country="LT\u0000"), j),
        ("nul-key", p, json.dumps({**profile_data(), "\u0000": 1}), j),
        ("nul-job-item", "/v1/jobs", json.dumps({"items": [{"name": "\u0000", "\u0000": "x"}]}), j),
        ("nul-raw", p, b'{"country": "LT\x00"}', j),
        ("invalid-utf8", p, _profile().encode().replace(b"Vilnius", b"\xc3\x28"), j),
        ("invalid-utf8-job", "/v1/jobs", b'{"items": [{"name": "\xff\xfe"}]}', j),
        ("utf16", p, _profile().encode("utf-16"), j),
        ("lone-surrogate", "/v1/jobs", '{"items": [{"name": "\\ud800"}]}', j),
        ("duplicate-keys", p, '{"country": "LT", "country": "LT"}', j),
        ("duplicate-in-job", "/v1/jobs", '{"items": [{"a": 1, "a": 1}]}', j),
        ("text-plain", p, _profile(), "text/plain"),
        ("form", p, "country=LT", "application/x-www-form-urlencoded"),
        ("no-content-type", p, _profile(), None),
        ("xml", "/v1/jobs", "<items/>", "application/xml"),
        ("empty-json", p, "", j),
        ("not-json", p, "{country: LT}", j),
        ("null", p, "null", j),
        ("array", p, "[]", j),
        ("string", "/v1/match/batch", '"items"', j),
        ("items-string", "/v1/jobs", '{"items": "x"}', j),
        ("items-numbers", "/v1/jobs", '{"items": [1, 2, 3]}', j),
        ("items-empty", "/v1/jobs", '{"items": []}', j),
        ("amount-huge", p, _profile(capex={"amount": 1e308, "currency": "EUR"}), j),
        ("amount-overflow", p, _profile().replace("10000000", "1e400"), j),
        ("amount-nan", p, _profile().replace("10000000", "NaN"), j),
        ("amount-negative", p, _profile(capex={"amount": -1, "currency": "EUR"}), j),
        ("amount-string", p, _profile(capex={"amount": "1e6", "currency": "EUR"}), j),
        ("population-huge", p, _profile(population=10**30), j),
        ("population-negative", p, _profile(population=-5), j),
        ("int-4301-digits", p, _profile().replace("10000000", "9" * 4301), j),
        ("partners-huge", p, _profile(partners={"countries": 10**20, "cities": 10**20}), j),
        ("as-of-bad", p, _profile(as_of="9999-99-99"), j),
        ("as-of-far", p, _profile(as_of="9999-12-31"), j),
        ("as-of-early", p, _profile(as_of="0001-01-01"), j),
        ("currency-bad", p, _profile(capex={"amount": 5, "currency": "\u0000\u0000\u0000"}), j),
        ("sectors-many", p, _profile(sectors=["street_lighting"] * 5000), j),
        (
            "batch-bad-items",
            "/v1/match/batch",
            json.dumps({"items": [_nest(50), "x", None, {}]}),
            j,
        ),
        ("batch-nul-items", "/v1/match/batch", json.dumps({"items": [{"country": "\u0000"}]}), j),
    ]
    return cases


@pytest.mark.parametrize(("path", "body", "content_type"), [c[1:] for c in _bodies()],
                         ids=[c[0] for c in _bodies()])  # fmt: skip
def test_hostile_bodies_never_answer_5xx(api: TestClient, path: str, body, content_type) -> None:  # type: ignore[no-untyped-def]
    headers = {"content-type": content_type} if content_type else {}
    answer = api.post(path, content=body, headers=headers)
    assert answer.status_code < 500, answer.text[:500]
    if answer.status_code >= 400:
        assert set(answer.json()) == {"error"}, answer.text[:500]


@pytest.mark.parametrize(
    "target",
    [
        "/v1/instruments/%00", "/v1/instruments/elena%00", "/v1/instruments/%ff%fe",
        "/v1/instruments/" + "a" * 10_000, f"/v1/jobs/{JOB}%00", f"/v1/jobs/{JOB}%00/results",
        "/v1/jobs/%ff", f"/v1/jobs/{JOB}/results?format=%00", f"/v1/jobs/{JOB}/results?format=xml",
        "/v1/instruments?jurisdiction=%00", "/v1/instruments?country=%00%00",
        "/v1/instruments?kind=%ff", "/v1/instruments?sector=" + "x" * 10_000,
        "/v1/instruments?as_of=0000-00-00", "/v1/instruments?as_of=9999-12-31",
        "/v1/instruments?as_of=%00", "/v1/instruments?offset=-1", "/v1/instruments?limit=0",
        "/v1/instruments?offset=100000000000000000000",
        "/v1/instruments?offset=9223372036854775807", "/v1/instruments?limit=1e3",
        "/v1/instruments?offset=9223372036854775808",
        "/v1/instruments?limit=100000000000000000000", "/v1/match?limit=100000000000000000000",
        "/health?%00=%00", "/%00", "/v1/%ff", "/v1/instruments/" + "%00" * 1000,
    ],
)  # fmt: skip
def test_hostile_paths_and_queries_never_answer_5xx(api: TestClient, target: str) -> None:
    answer = api.get(target)
    assert answer.status_code < 500, answer.text[:500]


@pytest.mark.parametrize(
    ("method", "path"),
    [("PUT", "/v1/match"), ("DELETE", "/v1/instruments/elena"), ("PATCH", "/v1/jobs"),
     ("OPTIONS", "/v1/match"), ("TRACE", "/health"), ("GET", "/v1/match"),
     ("POST", "/health"), ("POST", f"/v1/jobs/{JOB}")],
)  # fmt: skip
def test_wrong_methods_never_answer_5xx(api: TestClient, method: str, path: str) -> None:
    answer = api.request(
        method, path, content=_profile(), headers={"content-type": "application/json"}
    )
    assert answer.status_code < 500, answer.text[:500]  # fmt: skip


def test_a_match_limit_out_of_range_is_a_validation_error(api: TestClient) -> None:
    headers = {"content-type": "application/json"}
    for limit in ("-1", "0", "100000000000000000000", "NaN"):
        answer = api.post(f"/v1/match?limit={limit}", content=_profile(), headers=headers)
        assert answer.status_code == 422 and answer.json()["error"]["field"] == "limit"
