"""Advice ids: 32 hex digits that say when they were made, so that any process can tell an id
still on its way to the database from one that does not exist.

An id is laid out as a version-7 UUID (RFC 9562, section 5.7): the Unix time in milliseconds
(48 bits), the version (7), then 74 random bits. Ids made before this layout (version 4, all
random) stay valid; they are simply never waited for.

Why wait at all: with `advisor serve --workers N` the answer that names an id is sent before
its record is written (the keeper writes after the answer is on its way), and the
`GET /v1/advice/{id}` that follows may reach another process. The process that made the id
waits for its own pending record (`Keeper.wait`); any other process, finding no row for an id
made less than NEW_FOR seconds ago, looks again every POLL seconds until the id is that old.

Waiting holds a server thread, and anyone can make an id that looks new. So at most WAITERS
threads of a process wait at once (Starlette runs synchronous routes on a pool of 40 threads:
https://www.starlette.io/threadpool); a look that finds every waiting place taken answers at
once, as for an id that is not new. Made-up ids can then cost a real brand-new read its wait
(a 404 it would otherwise not get), never the server its threads.
"""

import re
import secrets
import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

ADVICE_ID = re.compile(r"[0-9a-f]{32}")
NEW_FOR = 2.0  # seconds an id's record may still be on its way from the process that made it
POLL = 0.025  # seconds between two looks for a brand-new id's record
SKEW = 1.0  # seconds of clock difference between processes (or hosts) tolerated
WAITERS = 8  # threads of one process that may wait for brand-new ids at once
_waiting = threading.BoundedSemaphore(WAITERS)


def new_id() -> str:
    """A fresh id: milliseconds since 1970, version 7, variant 10, random bits."""
    ms = time.time_ns() // 1_000_000
    value = (ms & (2**48 - 1)) << 80 | 0x7 << 76 | secrets.randbits(12) << 64
    value |= 0b10 << 62 | secrets.randbits(62)
    return f"{value:032x}"


def made_at(advice_id: str) -> float | None:
    """When a version-7 id was made (seconds since 1970); None for any other id."""
    if not ADVICE_ID.fullmatch(advice_id) or advice_id[12] != "7":
        return None
    return int(advice_id[:12], 16) / 1000


def look_until_made(advice_id: str, look: Callable[[], T | None]) -> T | None:
    """`look()`, and while it finds nothing for an id made less than NEW_FOR seconds ago (by
    the clock, within SKEW), again every POLL seconds until the id is that old; at once when
    WAITERS threads are waiting already."""
    found = look()
    made = made_at(advice_id)
    if found is not None or made is None:
        return found
    now = time.time()
    if not made - SKEW <= now <= made + NEW_FOR or not _waiting.acquire(blocking=False):
        return found
    try:
        while found is None and time.time() < made + NEW_FOR:
            time.sleep(POLL)
            found = look()
    finally:
        _waiting.release()
    return found
