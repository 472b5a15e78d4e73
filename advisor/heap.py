"""The garbage collector's settings for the long-lived processes: server, batch and job workers.

What start-up builds (the catalogue snapshot, the rules, the database engine) lives as long as
the process, so `settle` freezes it out of the collector's passes (`gc.freeze`), and young
objects are collected every `GC_YOUNG` allocations rather than every 700: an advice allocates
hundreds of thousands of short-lived objects, and with the defaults the full passes over the
whole heap were about a tenth of a batch worker's time. Only when memory is reclaimed changes,
never what is computed.

What such a process builds later and keeps as long (the rules' runner for another catalogue
revision or another year's exchange rates, advisor/engine.py `runner_for`) is frozen in turn by
`adopt`: a full pass over a heap holding a dozen runners took about 130 ms on the 2-core
machine, a pause an advice would otherwise meet whenever the collector's oldest generation came
due. `adopt` collects the young generations first, so what was discarded on the way is not frozen;
when the build retired a runner, it makes the frozen objects collectable again and collects them
all, so the retired runner is freed, not kept frozen for the life of the process (as the
residual Rete engine's build does, advisor/engine.py `ReteRunner`).
"""

import gc

GC_YOUNG = 10_000
_settled = False  # whether this process's collector is settled (between settle and restore)


def settle() -> tuple[int, int, int]:
    """Freeze the heap built so far and collect young objects every GC_YOUNG allocations;
    returns the thresholds in force before (for `restore`)."""
    global _settled
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GC_YOUNG, *previous[1:])
    _settled = True
    return previous


def adopt(retired: bool = False) -> None:
    """In a settled process, freeze what was built since the last freeze, once the young
    generations are collected; with `retired` (something long-lived was let go since), after a
    full collection of the frozen objects too. Elsewhere (tests, one-off commands): nothing."""
    if not _settled:
        return
    if retired:
        gc.unfreeze()
        gc.collect()
    else:
        gc.collect(1)
    gc.freeze()


def restore(previous: tuple[int, int, int]) -> None:
    """Undo `settle`: the previous thresholds, and the frozen objects collectable again."""
    global _settled
    _settled = False
    gc.set_threshold(*previous)
    gc.unfreeze()
