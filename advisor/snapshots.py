"""Snapshots for processes without the API's own cache (CLI, batch and job workers)."""

import threading

from advisor.catalogue_service import SnapshotCache
from advisor.settings import get_settings
from catalogue.db import prepare
from catalogue.snapshot import Snapshot

_caches: dict[str, SnapshotCache] = {}
_lock = threading.Lock()


def snapshot_for(url: str) -> Snapshot:
    """The catalogue behind `url`, migrated and seeded first if needed.

    Kept per process and URL, and reloaded when the database's catalogue revision changes:
    checked at most every ADVISOR_SNAPSHOT_TTL_SECONDS, as the API checks its own.
    """
    with _lock:
        cache = _caches.get(url)
        if cache is None:
            ttl = get_settings().snapshot_ttl_seconds
            cache = _caches[url] = SnapshotCache(prepare(url), ttl=ttl)
    return cache.get()


def local_snapshot() -> Snapshot:
    return snapshot_for(get_settings().resolved_database_url())
