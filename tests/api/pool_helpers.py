"""Work for a batch process that the tests of advisor.batchwork's pool hand it."""

import os
import struct
import sys
import time
from multiprocessing.queues import SimpleQueue


def send_half_a_result() -> None:
    """Start a result message on the pool's result pipe (a length header and the first bytes)
    and never finish it: what a process stopped while it sends a large answer leaves."""
    results = sys._getframe(1).f_locals["result_queue"]  # concurrent.futures' _process_worker
    assert isinstance(results, SimpleQueue)
    os.write(results._writer.fileno(), struct.pack("!i", 1_000_000) + b"\x80\x05")
    time.sleep(3600)


def scenario() -> None:
    """Stop a pool whose process has sent half a result: the manager thread must end, and so
    must this interpreter (run with a timeout: before the fix it waited for ever)."""
    from advisor import batchwork

    pool = batchwork.process_pool(1)
    pool.submit(int, 1).result()  # the process is up
    stalled = pool.submit(send_half_a_result)
    manager = pool._executor_manager_thread  # type: ignore[attr-defined]
    time.sleep(1.0)  # the header is in the pipe; the manager thread waits for the rest
    assert not stalled.done(), stalled.exception()
    batchwork.stop_pool(pool)
    assert manager is not None
    manager.join(20)
    print("manager alive:", manager.is_alive(), "future done:", stalled.done(), flush=True)
    sys.exit(1 if manager.is_alive() else 0)


if __name__ == "__main__":
    scenario()
