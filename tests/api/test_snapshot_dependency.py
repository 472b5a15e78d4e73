"""The snapshot dependency (api/deps.py) reads a fresh snapshot without a thread and sends a
due revision check to one: `SnapshotCache.current` gives the snapshot only while it is fresh."""

import pytest
from fastapi.testclient import TestClient

from advisor.catalogue_service import SnapshotCache

pytestmark = pytest.mark.db


def test_current_is_the_snapshot_only_while_its_check_is_fresh(client: TestClient) -> None:
    db = client.app.state.db
    fresh = SnapshotCache(db, ttl=60)
    assert fresh.current() is None  # never checked: a check is due
    got = fresh.get()
    assert fresh.current() is got
    due = SnapshotCache(db, ttl=0)
    due.get()
    assert due.current() is None  # always due: every request checks, as `get` does


def test_health_answers_on_a_snapshot_due_a_check(client: TestClient) -> None:
    cache: SnapshotCache = client.app.state.snapshots
    revision = cache.get().revision
    client.app.state.snapshots = SnapshotCache(client.app.state.db, ttl=0)
    try:
        assert client.get("/health").status_code == 200
        assert client.get("/health").json()["catalogue_revision"] == revision
    finally:
        client.app.state.snapshots = cache
