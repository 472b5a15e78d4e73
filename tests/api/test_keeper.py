"""The Keeper's writer: decisions queued while it writes go in one transaction, in the order
they were answered; a record that cannot be written loses only itself."""

import threading
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from advisor.decisions import Keeper, all_ids, get_body, new_id
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
