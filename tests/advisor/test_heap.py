"""The collector's settings of long-lived processes are applied and given back whole."""

import gc

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
