"""Acceptance (issue 9): while a 500-item batch runs, /v1/match p99 from another client stays
within 3x its idle p99.

A real `advisor serve` (one process, as the embedded default runs) on a fresh database (SQLite
here, the real PostgreSQL in CI). p99 is the nearest-rank 99th percentile of 100 single
matches from one keep-alive client: idle first, then while another client's 500-item batch
runs. Before the batch had processes of its own, single matches waited behind the whole batch:
busy p99 about 50 s against 0.2 s idle (bench/batch_interference.py). The machine may be
shared with other work that this test cannot see, so a second measurement is allowed when the
first misses; either must be within 3x.
"""

import httpx
import pytest

from tests.builders import profile_data
from tests.servers import match_under_batch, serve

pytestmark = pytest.mark.db
RATIO = 3.0
SECTORS = ["street_lighting", "transport", "energy_efficiency", "water", "waste"]
COUNTRIES = ["LT", "DE", "FR", "ES", "PL"]


def _profiles(count: int, start: int = 0) -> list[dict]:  # type: ignore[type-arg]
    """Valid profiles that differ in sector, country and size."""
    return [
        profile_data(
            name=f"project {i}",
            sector=SECTORS[i % len(SECTORS)],
            country=COUNTRIES[(i // len(SECTORS)) % len(COUNTRIES)],
            capex={"amount": 1_000_000 + 250_000 * (i % 40), "currency": "EUR"},
        )
        for i in range(start, start + count)
    ]


def test_single_matches_are_not_held_up_by_a_500_item_batch(database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    singles, batch = _profiles(25), _profiles(500, start=25)
    with serve(tmp_path, database_url=database_url, workers=1) as server:
        with httpx.Client(base_url=server.url, timeout=120) as warm:  # both paths warmed up
            for body in singles:
                assert warm.post("/v1/match", json=body).status_code == 200
            assert warm.post("/v1/match/batch", json={"items": batch[:5]}).status_code == 200
        tries = []
        for _ in range(2):
            got = match_under_batch(server.url, singles, batch, requests=100)
            assert got.batch_status == 200, got.batch_body[:300]
            answer = httpx.Response(200, content=got.batch_body).json()
            assert answer["count"] == 500 and answer["failed"] == 0
            assert [r["index"] for r in answer["results"]] == list(range(500))
            tries.append((got.idle_p99, got.busy_p99, len(got.busy), got.batch_seconds))
            if got.busy_p99 <= RATIO * got.idle_p99:
                break
    figures = [
        f"idle p99 {i * 1000:.0f} ms, busy p99 {b * 1000:.0f} ms over {n} requests "
        f"during a {s:.1f} s batch"
        for i, b, n, s in tries
    ]
    print("; ".join(figures))  # shown with -s or -rP
    idle_p99, busy_p99, busy_count, _ = tries[-1]
    assert busy_p99 <= RATIO * idle_p99, figures
    assert busy_count >= 50, figures  # the batch ran for the whole measurement, or most of it
