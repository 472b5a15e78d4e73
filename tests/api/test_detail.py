"""Lean answers over HTTP (advisor/detail.py): `excluded` carries each instrument's decisive
reason by default, every criterion with `?detail=full`; a lean reason is the contract's
{rule, text, source}, the criterion record (test, value, threshold, passed) is in the full
answer; and gzip above the size threshold.

The profile of test_api's near-miss case: an EUR 18m energy-efficiency project in planning, with
EUR 0.9m of development cost, of a municipality in Lithuania on 2026-11-22. ELENA funds
technical assistance for investment programmes of at least EUR 30m (bundling is what would
make it qualify), and Horizon 2020 closed on 31 December 2020 with Horizon Europe its successor
(Reg. (EU) 2021/695): both must survive the lean form.
"""

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pydantic_core
import pytest
import zstandard
from fastapi.testclient import TestClient
from starlette.middleware.gzip import GZipResponder

from advisor.settings import Settings
from api.main import create_app
from tests.builders import profile_data

pytestmark = pytest.mark.db

NEAR_MISS = profile_data(
    capex={"amount": 18_000_000, "currency": "EUR"},
    stage="planning",
    development_cost={"amount": 900_000, "currency": "EUR"},
    sector="energy_efficiency",
)
LEAN_KEYS = {"instrument_id", "name", "reasons", "near_miss", "would_qualify_if", "successor"}
CONTRACT = ("rule", "text", "source")  # a reason, as ARCHITECTURE.md's response shape lists it


def _contract(reason: dict) -> dict:  # type: ignore[type-arg]
    return {k: reason[k] for k in CONTRACT}


def _contract_reasons(advice: dict) -> dict:  # type: ignore[type-arg]
    """`advice` with every reason outside `excluded` as the contract's {rule, text, source}."""
    out = dict(advice)
    where = {
        "options": ("reasons", "cautions", "amount_basis"),
        "to_check": ("reasons",),
        "business_models": ("reasons", "cautions"),
    }
    for key, fields in where.items():
        entries = []
        for entry in advice[key]:
            entry = dict(entry)
            for field in fields:
                value = entry.get(field)
                if isinstance(value, list):
                    entry[field] = [_contract(r) for r in value]
                elif value is not None:
                    entry[field] = _contract(value)
            entries.append(entry)
        out[key] = entries
    return out


def _without_excluded(advice: dict) -> dict:  # type: ignore[type-arg]
    return {
        k: v for k, v in _contract_reasons(advice).items() if k not in ("excluded", "advice_id")
    }


def _pair(client: TestClient, data: dict) -> tuple[dict, dict]:  # type: ignore[type-arg]
    lean = client.post("/v1/match", json=data)
    full = client.post("/v1/match?detail=full", json=data)
    assert lean.status_code == full.status_code == 200
    return lean.json(), full.json()


def test_excluded_is_lean_by_default_and_full_on_request(client: TestClient) -> None:
    lean, full = _pair(client, NEAR_MISS)
    # the rest of the answer is the same
    assert _without_excluded(lean) == _without_excluded(full)
    assert [e["instrument_id"] for e in lean["excluded"]] == [
        e["instrument_id"] for e in full["excluded"]
    ]
    # full gives every criterion failed: some instrument fails more than one
    assert any(len(e["reasons"]) > 1 for e in full["excluded"])
    for short, whole in zip(lean["excluded"], full["excluded"], strict=True):
        assert set(short) == LEAN_KEYS
        # the decisive reason: the first hard criterion failed, as the full answer lists them
        assert short["reasons"] == [_contract(whole["reasons"][0])]
        assert short["reasons"][0]["source"]
        assert whole["reasons"][0]["passed"] is False and whole["reasons"][0]["test"]
        for key in ("name", "near_miss", "would_qualify_if", "successor"):
            assert short[key] == whole[key]
    excluded = {e["instrument_id"]: e for e in lean["excluded"]}
    elena = excluded["elena"]
    assert elena["near_miss"] and "bundle" in elena["would_qualify_if"]
    # a near miss fails one criterion: the decisive one is what `would_qualify_if` meets
    assert len({e["instrument_id"]: e for e in full["excluded"]}["elena"]["reasons"]) == 1
    assert excluded["horizon_2020"]["successor"] == "horizon_europe"


def test_lean_drops_exactly_the_other_criteria_and_the_criterion_records(
    client: TestClient,
) -> None:
    identity = {"accept-encoding": "identity"}
    lean = client.post("/v1/match", json=NEAR_MISS, headers=identity).content
    full = client.post("/v1/match?detail=full", json=NEAR_MISS, headers=identity)
    whole = full.json()
    others = sum(
        len(pydantic_core.to_json(reason)) + 1  # each with the comma before it
        for entry in whole["excluded"]
        for reason in entry["reasons"][1:]
    )
    kept = [e["reasons"][0] for e in whole["excluded"]]
    for key, fields in {
        "options": ("reasons", "cautions", "amount_basis"),
        "to_check": ("reasons",),
        "business_models": ("reasons", "cautions"),
    }.items():
        for entry in whole[key]:
            for field in fields:
                value = entry.get(field)
                kept += value if isinstance(value, list) else [value] if value else []
    records = sum(
        len(pydantic_core.to_json(r)) - len(pydantic_core.to_json(_contract(r))) for r in kept
    )
    assert others > 0 and records > 0
    assert len(full.content) - len(lean) == others + records


def test_unknown_detail_is_a_422_naming_it(client: TestClient) -> None:
    answer = client.post("/v1/match?detail=everything", json=NEAR_MISS)
    assert answer.status_code == 422
    assert "detail" in json.dumps(answer.json()["error"])


def test_batch_items_follow_detail(client: TestClient) -> None:
    items = [dict(NEAR_MISS, id="a"), {"id": "bad", "name": "x", "country": "XX"}]
    lean = client.post("/v1/match/batch", json={"items": items}).json()
    full = client.post("/v1/match/batch?detail=full", json={"items": items}).json()
    assert lean["failed"] == full["failed"] == 1
    short, whole = lean["results"][0]["advice"], full["results"][0]["advice"]
    assert all(len(e["reasons"]) == 1 for e in short["excluded"])
    assert any(len(e["reasons"]) > 1 for e in whole["excluded"])
    decisive = [[_contract(e["reasons"][0])] for e in whole["excluded"]]
    assert decisive == [e["reasons"] for e in short["excluded"]]
    assert _without_excluded(short) == _without_excluded(whole)
    assert lean["results"][1]["errors"] == full["results"][1]["errors"]


def test_openapi_documents_detail(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, method in (
        ("/v1/match", "post"),
        ("/v1/match/batch", "post"),
        ("/v1/advice/{advice_id}", "get"),
    ):
        (param,) = [p for p in paths[path][method]["parameters"] if p["name"] == "detail"]
        assert param["in"] == "query" and not param.get("required", False)
        assert param["schema"]["enum"] == ["lean", "full"]
        assert param["schema"]["default"] == "lean"
        assert "decisive reason" in param["description"]


# --- gzip ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lean_size(clients_at) -> int:  # type: ignore[no-untyped-def]
    """The default answer's size, uncompressed (no `advice_id`: the apps here keep none)."""
    answer = clients_at(0).post(
        "/v1/match", json=NEAR_MISS, headers={"accept-encoding": "identity"}
    )
    assert "content-encoding" not in answer.headers and answer.json()["advice_id"] is None
    return len(answer.content)


@pytest.fixture(scope="module")
def clients_at(client: TestClient, tmp_path_factory: pytest.TempPathFactory) -> Iterator:  # type: ignore[type-arg]
    """Apps on the module's (seeded) database with a given gzip threshold."""
    url = client.app.state.settings.resolved_database_url()
    opened: list[TestClient] = []

    def make(min_bytes: int) -> TestClient:
        settings = Settings(
            database_url=url,
            data_dir=Path(tmp_path_factory.mktemp("gzip")),
            gzip_min_bytes=min_bytes,
            keep_advice=False,
            jobs_worker=False,
        )
        opened.append(TestClient(create_app(settings)).__enter__())
        return opened[-1]

    yield make
    for one in opened:
        one.__exit__(None, None, None)


def _raw(client: TestClient, accept: str) -> tuple[bytes, dict]:  # type: ignore[type-arg]
    with client.stream(
        "POST", "/v1/match", json=NEAR_MISS, headers={"accept-encoding": accept}
    ) as answer:
        assert answer.status_code == 200
        return b"".join(answer.iter_raw()), dict(answer.headers)


def test_default_answer_is_gzipped_above_the_threshold_when_asked(clients_at, lean_size) -> None:  # type: ignore[no-untyped-def]
    at = clients_at(lean_size)  # exactly the threshold: "at least this large" is compressed
    raw, headers = _raw(at, "gzip")
    assert headers["content-encoding"] == "gzip" and "accept-encoding" in headers["vary"].lower()
    plain = gzip.decompress(raw)
    assert len(plain) == lean_size and json.loads(plain)["excluded"]
    assert len(raw) * 3 < len(plain)
    # not asked: not compressed
    raw, headers = _raw(at, "identity")
    assert "content-encoding" not in headers and len(raw) == lean_size
    raw, headers = _raw(at, "")
    assert "content-encoding" not in headers and len(raw) == lean_size


def test_default_answer_is_zstd_when_the_client_accepts_it(clients_at, lean_size) -> None:  # type: ignore[no-untyped-def]
    """Browsers over HTTPS and httpx with zstandard accept zstd: the answer is one Zstandard
    frame of the same bytes; a client that weighs gzip higher, or refuses zstd, gets gzip."""
    at = clients_at(lean_size)
    plain, _ = _raw(at, "identity")
    raw, headers = _raw(at, "gzip, deflate, br, zstd")
    assert headers["content-encoding"] == "zstd" and headers["vary"] == "Accept-Encoding"
    assert zstandard.ZstdDecompressor().decompress(raw) == plain and len(raw) * 3 < len(plain)
    assert headers["content-length"] == str(len(raw))
    for accept in ("gzip;q=1, zstd;q=0.5", "zstd;q=0, gzip"):
        raw, headers = _raw(at, accept)
        assert headers["content-encoding"] == "gzip" and gzip.decompress(raw) == plain
    raw, headers = _raw(at, "gzip;q=0, zstd;q=0")  # neither acceptable: as it is
    assert "content-encoding" not in headers and raw == plain
    assert at.post("/v1/match", json=NEAR_MISS).content == plain  # httpx decodes zstd itself
    below = clients_at(lean_size + 1)
    raw, headers = _raw(below, "zstd")
    assert "content-encoding" not in headers and raw == plain


def test_default_answer_below_the_threshold_is_not_gzipped(clients_at, lean_size) -> None:  # type: ignore[no-untyped-def]
    above = clients_at(lean_size + 1)
    raw, headers = _raw(above, "gzip")
    assert "content-encoding" not in headers and len(raw) == lean_size
    assert json.loads(raw)["excluded"]


@pytest.mark.parametrize("level", [1, 2, 3, 4, 6])
def test_an_answer_compressed_before_the_middleware_is_gzip_the_size_of_the_middleware_s(
    clients_at,
    lean_size,
    level,  # type: ignore[no-untyped-def]
) -> None:
    """/v1/match gzips its answer in the engine thread: one gzip member of the answer, at levels
    1-3 by igzip and no more than 5% larger than GZipMiddleware's at the same level, above
    them the middleware's own bytes (zlib)."""
    at = clients_at(lean_size)
    at.app.state.settings.gzip_level = level
    raw, headers = _raw(at, "gzip")
    plain, _ = _raw(at, "identity")
    by_middleware = GZipResponder(at.app, lean_size, compresslevel=level)._compress_body(
        plain, more_body=False
    )
    assert gzip.decompress(raw) == plain and headers["content-length"] == str(len(raw))
    assert raw[:3] == b"\x1f\x8b\x08" and raw[4:8] == b"\x00\x00\x00\x00"  # gzip, no time
    if level <= 3:
        assert raw != by_middleware and len(raw) <= 1.05 * len(by_middleware)
    else:
        assert raw == by_middleware
    assert headers["vary"] == "Accept-Encoding"
