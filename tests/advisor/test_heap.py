"""The collector's settings of long-lived processes are applied and given back whole."""

import gc
import weakref

from advisor import heap


def test_settle_freezes_and_collects_young_objects_less_often_and_restore_undoes_it() -> None:
    before = gc.get_threshold()
    gc.unfreeze()
    kept = [object() for _ in range(10)]
    previous = heap.settle()
    try:
        assert previous == before
        assert gc.get_threshold() == (heap.GC_YOUNG, *before[1:])
        assert gc.get_freeze_count() > 0
    finally:
        heap.restore(previous)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    assert len(kept) == 10


def test_a_job_workers_processes_are_settled_as_batch_workers_are() -> None:
    from advisor.jobrunner import _own_pool

    pool = _own_pool(2)
    try:
        thresholds = {pool.submit(gc.get_threshold).result(timeout=120) for _ in range(4)}
    finally:
        pool.shutdown()
    assert {t[0] for t in thresholds} == {heap.GC_YOUNG}


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only a collection frees it


def _tracked(obj: object) -> bool:
    """Whether `obj` is in one of the collector's generations (a frozen object is in none)."""
    return any(o is obj for o in gc.get_objects())


def test_adopt_freezes_what_a_settled_process_built_since_and_nothing_elsewhere() -> None:
    gc.unfreeze()
    built = [[i] for i in range(10)]  # tracked containers, as a runner's are
    heap.adopt()  # not settled: the collector is left as it is
    assert gc.get_freeze_count() == 0 and _tracked(built[0])
    previous = heap.settle()
    try:
        later = [[i] for i in range(10)]
        discarded = weakref.ref(_Node())
        assert discarded() is not None  # kept by its cycle until a collection
        heap.adopt()
        # what was built since settling is frozen; the discarded cycle collected, not frozen
        assert not _tracked(later[0])
        assert discarded() is None
        retired = _Node()  # a runner, frozen, then let go: only a retiring adopt frees it
        heap.adopt()
        gone = weakref.ref(retired)
        del retired
        heap.adopt()
        assert gone() is not None
        heap.adopt(retired=True)
        assert gone() is None
    finally:
        heap.restore(previous)
    assert gc.get_freeze_count() == 0
    heap.adopt()  # restored: no longer settled
    assert gc.get_freeze_count() == 0 and _tracked(later[0])


def test_a_runner_built_in_a_settled_process_is_frozen(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from advisor import engine

    made: list[object] = []
    monkeypatch.setattr(engine, "Runner", lambda facts: made.append(facts) or facts)
    monkeypatch.setattr(engine._local, "runners", None, raising=False)
    gc.unfreeze()
    previous = heap.settle()
    try:
        runner = engine.runner_for(("rev", "key"), lambda: [[i] for i in range(10)])
        assert made == [runner] and not _tracked(runner[0])
    finally:
        heap.restore(previous)
