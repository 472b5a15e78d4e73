"""The Keeper's writer: decisions queued while it writes go in one transaction, in the order
they were answered; a record that cannot be written loses only itself; a brand-new id whose
record another process is still writing is found once it is written."""

import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from advisor import advice_ids
from advisor.decisions import Keeper, all_ids, get_body, new_id
from advisor.errors import NotFound
from catalogue.datafiles import load
from catalogue.snapshot import Snapshot


def _record(snapshot: Snapshot, advice_id: str, body: bytes) -> dict[str, Any]:
    return {
        "advice_id": advice_id, "profile": {"name": advice_id}, "body": body,
        "snapshot": snapshot, "ruleset_version": "x", "as_of": datetime.now(UTC).date(),
        "as_of_given": False, "owner": None,
    }  # fmt: skip


def _snapshot() -> Snapshot:
    data = load()
    return Snapshot(data.revision, data.instruments, data.business_models, data.fx_rates)


def test_decisions_queued_meanwhile_are_written_together_in_order(db: Engine) -> None:
    keeper = Keeper(db)
    snapshot = _snapshot()
    writes: list[int] = []
    keep_many = keeper.keep_many
    keeper.keep_many = lambda records: (writes.append(len(records)), keep_many(records))[1]  # type: ignore[method-assign]
    busy = threading.Event()
    keeper._writer.submit(busy.wait, 10)  # the writer is busy while five are submitted
    ids = [new_id() for _ in range(5)]
    for n, advice_id in enumerate(ids):
        keeper.submit(**_record(snapshot, advice_id, b'{"n":%d}' % n))
    busy.set()
    keeper.wait(ids[-1])
    assert writes == [5]
    assert all_ids(db=db) == ids  # by created_at: the order they were answered
    for n, advice_id in enumerate(ids):
        assert get_body(db=db, advice_id=advice_id) == b'{"n":%d}' % n
    keeper.submit(**_record(snapshot, new_id(), b"{}"))  # the next one: a write of its own
    keeper.flush()
    assert writes == [5, 1]
    keeper.close()


def test_a_record_that_cannot_be_written_loses_only_itself(db: Engine) -> None:
    keeper = Keeper(db)
    snapshot = _snapshot()
    taken = new_id()
    keeper.keep(**_record(snapshot, taken, b'{"first":1}'))
    busy = threading.Event()
    keeper._writer.submit(busy.wait, 10)
    others = [new_id(), new_id()]
    keeper.submit(**_record(snapshot, others[0], b"{}"))
    keeper.submit(**_record(snapshot, taken, b'{"again":1}'))  # its id is taken: not written
    keeper.submit(**_record(snapshot, others[1], b"{}"))
    busy.set()
    keeper.flush()
    assert get_body(db=db, advice_id=taken) == b'{"first":1}'
    assert all_ids(db=db) == [taken, *others]
    keeper.close()


def test_an_id_says_when_it_was_made_and_older_ids_say_nothing() -> None:
    before = time.time()
    ids = [new_id() for _ in range(200)]
    after = time.time()
    assert len(set(ids)) == 200
    assert all(advice_ids.ADVICE_ID.fullmatch(i) and i[12] == "7" for i in ids)
    assert all(before - 0.001 <= (advice_ids.made_at(i) or 0) <= after + 0.001 for i in ids)
    assert advice_ids.made_at(uuid.uuid4().hex) is None  # ids made before: never waited for
    assert advice_ids.made_at("not an id") is None


def test_a_new_record_written_by_another_process_a_moment_later_is_found(db: Engine) -> None:
    snapshot = _snapshot()
    advice_id = new_id()
    other = Keeper(db)  # the process that made the id; this reader has no keeper of its own
    later = threading.Timer(0.3, lambda: other.keep(**_record(snapshot, advice_id, b'{"n":1}')))
    later.start()
    try:
        assert get_body(db=db, advice_id=advice_id) == b'{"n":1}'
    finally:
        later.join()
        other.close()


def test_an_id_nobody_wrote_is_not_found_once_it_is_no_longer_new(
    db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(advice_ids, "NEW_FOR", 0.2)
    with pytest.raises(NotFound):
        get_body(db=db, advice_id=new_id())
    looks: list[int] = []
    for old in (uuid.uuid4().hex, f"{int(time.time() * 1000) - 60_000:012x}7" + "0" * 19):
        assert advice_ids.look_until_made(old, lambda: looks.append(1)) is None
    assert len(looks) == 2  # an older layout, or an id a minute old: looked for once


def test_made_up_new_ids_hold_at_most_the_waiting_places(monkeypatch: pytest.MonkeyPatch) -> None:
    """Waiting for brand-new ids holds threads; once WAITERS threads wait, a further look for a
    new id answers at once, and waits again when a place is free."""
    monkeypatch.setattr(advice_ids, "NEW_FOR", 1.5)
    waiting = threading.Barrier(advice_ids.WAITERS + 1)

    def waiter() -> None:
        looks = 0

        def look() -> None:
            nonlocal looks
            looks += 1
            if looks == 2:  # in the waiting loop
                waiting.wait(timeout=5)

        advice_ids.look_until_made(new_id(), look)

    threads = [threading.Thread(target=waiter) for _ in range(advice_ids.WAITERS)]
    for thread in threads:
        thread.start()
    waiting.wait(timeout=5)
    looks: list[int] = []
    assert advice_ids.look_until_made(new_id(), lambda: looks.append(1)) is None
    assert looks == [1]  # every place taken: looked for once
    for thread in threads:
        thread.join()
    monkeypatch.setattr(advice_ids, "NEW_FOR", 0.2)
    assert advice_ids.look_until_made(new_id(), lambda: looks.append(1)) is None
    assert len(looks) > 2  # a place free again: looked for until no longer new
