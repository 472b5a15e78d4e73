"""The garbage collector's settings for the long-lived processes: server, batch and job workers.

What start-up builds (the catalogue snapshot, the rules, the database engine) lives as long as
the process, so `settle` freezes it out of the collector's passes (`gc.freeze`), and young
objects are collected every `GC_YOUNG` allocations rather than every 700: an advice allocates
hundreds of thousands of short-lived objects, and with the defaults the full passes over the
whole heap were about a tenth of a batch worker's time. Only when memory is reclaimed changes,
never what is computed.
"""

import gc

GC_YOUNG = 10_000


def settle() -> tuple[int, int, int]:
    """Freeze the heap built so far and collect young objects every GC_YOUNG allocations;
    returns the thresholds in force before (for `restore`)."""
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GC_YOUNG, *previous[1:])
    return previous


def restore(previous: tuple[int, int, int]) -> None:
    """Undo `settle`: the previous thresholds, and the frozen objects collectable again."""
    gc.set_threshold(*previous)
    gc.unfreeze()
