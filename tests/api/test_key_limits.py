"""Limits per key: over one -> 429 with Retry-After (jobs at once, items per UTC day), the
daily count atomic and starting again each UTC day, the defaults from settings."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from advisor import keys
from advisor.errors import LimitExceeded
from advisor.settings import Settings
from tests.api.auth_helpers import batch_of, bearer, new_key

pytestmark = pytest.mark.db


def test_jobs_at_once_are_limited_per_key(keyed: TestClient) -> None:
    secret, other = new_key(keyed, "jobs", max_concurrent_jobs=2), new_key(keyed, "jobs")
    for _ in range(2):
        assert keyed.post("/v1/jobs", json=batch_of(1), headers=bearer(secret)).status_code == 202
    third = keyed.post("/v1/jobs", json=batch_of(1), headers=bearer(secret))
    assert third.status_code == 429
    assert third.json()["error"]["code"] == "limit_exceeded"
    assert third.headers["retry-after"] == str(keys.CONCURRENT_RETRY_SECONDS)
    # another key is not held back by this one's jobs; batches are not jobs
    assert keyed.post("/v1/jobs", json=batch_of(1), headers=bearer(other)).status_code == 202
    assert (
        keyed.post("/v1/match/batch", json=batch_of(1), headers=bearer(secret)).status_code == 200
    )


def test_a_finished_job_frees_its_slot(keyed: TestClient) -> None:
    secret = new_key(keyed, "jobs", max_concurrent_jobs=1)
    job_id = keyed.post("/v1/jobs", json=batch_of(1), headers=bearer(secret)).json()["id"]
    assert keyed.post("/v1/jobs", json=batch_of(1), headers=bearer(secret)).status_code == 429
    app: FastAPI = keyed.app  # type: ignore[assignment]
    with app.state.db.begin() as conn:
        conn.execute(text("UPDATE job SET status = 'done' WHERE id = :id"), {"id": job_id})
    assert keyed.post("/v1/jobs", json=batch_of(1), headers=bearer(secret)).status_code == 202


@pytest.mark.parametrize("limit", [1, 3])
def test_jobs_submitted_at_once_never_pass_the_limit_together(
    keyed: TestClient, limit: int
) -> None:
    """Eight submissions of one key at the same instant: exactly `limit` accepted, the others
    429 with Retry-After, and only the accepted ones stored and counted."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    app: FastAPI = keyed.app  # type: ignore[assignment]
    secret = new_key(keyed, "jobs", max_concurrent_jobs=limit)
    key_id = keys.authenticate(db=app.state.db, secret=secret, scope="jobs", settings=Settings())
    at_once = 8
    start = Barrier(at_once)

    def submit(_: int):  # type: ignore[no-untyped-def]
        start.wait()
        return keyed.post("/v1/jobs", json=batch_of(2), headers=bearer(secret))

    with ThreadPoolExecutor(at_once) as pool:
        answers = list(pool.map(submit, range(at_once)))
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [202] * limit + [429] * (at_once - limit), [a.text for a in answers]
    for refused in (answer for answer in answers if answer.status_code == 429):
        assert refused.json()["error"]["code"] == "limit_exceeded"
        assert refused.headers["retry-after"] == str(keys.CONCURRENT_RETRY_SECONDS)
    assert keys.active_jobs(db=app.state.db, key_id=key_id.key_id) == limit  # type: ignore[arg-type]
    # a refused job counts none of its items: 2 per accepted job
    assert keys.used_today(db=app.state.db, key_id=key_id.key_id) == 2 * limit  # type: ignore[arg-type]


def test_items_per_day_are_limited_per_key_until_midnight_utc(keyed: TestClient) -> None:
    secret = new_key(keyed, "jobs", max_items_per_day=5)
    headers = bearer(secret)
    assert keyed.post("/v1/match/batch", json=batch_of(3), headers=headers).status_code == 200
    over = keyed.post("/v1/jobs", json=batch_of(3), headers=headers)  # 6 > 5
    now = datetime.now(UTC)
    assert over.status_code == 429 and over.json()["error"]["field"] == "items"
    midnight = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)
    assert abs(int(over.headers["retry-after"]) - (midnight - now).total_seconds()) <= 5
    # a refused request counts nothing: exactly the 2 left still fit, then nothing does
    assert keyed.post("/v1/jobs", json=batch_of(2), headers=headers).status_code == 202
    assert keyed.post("/v1/match/batch", json=batch_of(1), headers=headers).status_code == 429


def test_a_request_larger_than_a_days_quota_is_not_told_to_wait(keyed: TestClient) -> None:
    secret = new_key(keyed, "jobs", max_items_per_day=2)
    refused = keyed.post("/v1/match/batch", json=batch_of(3), headers=bearer(secret))
    assert refused.status_code == 429 and "retry-after" not in refused.headers
    assert (
        keyed.post("/v1/match/batch", json=batch_of(2), headers=bearer(secret)).status_code == 200
    )


def test_the_daily_count_starts_again_each_utc_day(keyed: TestClient) -> None:
    app: FastAPI = keyed.app  # type: ignore[assignment]
    db = app.state.db
    secret = new_key(keyed, "jobs", max_items_per_day=10)
    caller = keys.authenticate(db=db, secret=secret, scope="jobs", settings=Settings())
    late = datetime(2026, 3, 1, 23, 59, 30, tzinfo=UTC)
    keys.admit(db=db, caller=caller, items=10, job=False, now=late)
    with pytest.raises(LimitExceeded) as refused:
        keys.admit(db=db, caller=caller, items=1, job=False, now=late)
    assert refused.value.retry_after == 30
    keys.admit(db=db, caller=caller, items=10, job=False, now=late + timedelta(seconds=30))
    assert keys.used_today(db=db, key_id=caller.key_id, now=late) == 10  # type: ignore[arg-type]


def test_the_daily_count_is_atomic(keyed: TestClient) -> None:
    """Requests at once never pass the quota together: of 12 one-item requests against a
    quota of 5, exactly 5 are accepted (each the day's first row or a conditional update)."""
    from concurrent.futures import ThreadPoolExecutor

    app: FastAPI = keyed.app  # type: ignore[assignment]
    db = app.state.db
    secret = new_key(keyed, "jobs", max_items_per_day=5)
    caller = keys.authenticate(db=db, secret=secret, scope="jobs", settings=Settings())
    noon = datetime(2026, 6, 1, 12, tzinfo=UTC)

    def one(_: int) -> bool:
        try:
            keys.admit(db=db, caller=caller, items=1, job=False, now=noon)
        except LimitExceeded:
            return False
        return True

    with ThreadPoolExecutor(4) as pool:
        accepted = list(pool.map(one, range(12)))
    assert accepted.count(True) == 5
    assert keys.used_today(db=db, key_id=caller.key_id, now=noon) == 5  # type: ignore[arg-type]


def test_default_limits_come_from_settings(keyed: TestClient) -> None:
    app: FastAPI = keyed.app  # type: ignore[assignment]
    secret = new_key(keyed, "jobs")
    settings = Settings(key_max_jobs=7, key_items_per_day=1234)
    caller = keys.authenticate(db=app.state.db, secret=secret, scope="jobs", settings=settings)
    assert (caller.max_concurrent_jobs, caller.max_items_per_day) == (7, 1234)
