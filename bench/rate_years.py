"""A portfolio whose advice dates span every year of the FX table: time per advice with the
runners a thread keeps (advisor/engine.py RUNNERS_KEPT) against 8 kept, as before.

The ticket currencies' rates in force change once a year, and each set of rates has its own
runner (the catalogue's facts converted at those rates, matched once). The profiles are random
ones (bench/common.py), each given an advice date in a year drawn from the table's, in random
order. A first pass over part of them builds what it meets; the rest are timed (process CPU
time). The two settings alternate, each on a fresh thread (so a fresh set of runners),
`--rounds` times; prints the medians in ms per advice and their ratio. Not a test: compare
medians and ratios from one run.

    python bench/rate_years.py [--profiles 400] [--rounds 3]
"""

import argparse
import random
import statistics
import sys
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from advisor import engine as runner  # noqa: E402
from advisor.advice import advise  # noqa: E402
from advisor.money import Converter  # noqa: E402
from bench.common import full_snapshot, random_profiles  # noqa: E402

BEFORE = 8  # runners kept per thread before the FX table's years were counted


def per_advice(kept: int, snapshot, warm: list, timed: list) -> float:  # type: ignore[no-untyped-def,type-arg]
    """ms of CPU per advice over `timed`, on a fresh thread keeping `kept` runners."""
    out: list[float] = []

    def work() -> None:
        shipped = runner.RUNNERS_KEPT
        runner.RUNNERS_KEPT = kept
        try:
            for profile in warm:
                advise(profile, snapshot)
            began = time.thread_time()
            for profile in timed:
                advise(profile, snapshot)
            out.append((time.thread_time() - began) * 1000 / len(timed))
        finally:
            runner.RUNNERS_KEPT = shipped

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    return out[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    snapshot = full_snapshot()
    years = sorted({rate.date.year for rate in snapshot.fx_rates})
    rng = random.Random(5)
    profiles = [
        p.model_copy(update={"as_of": date(rng.choice(years), rng.randint(1, 12), 15)})
        for p in random_profiles(args.profiles, seed=77)
    ]
    warm, timed = profiles[: len(profiles) // 5], profiles[len(profiles) // 5 :]
    sets = {
        Converter(snapshot, p.as_of).key_for(snapshot.ticket_currencies)  # type: ignore[arg-type]
        for p in profiles
    }
    results: dict[int, list[float]] = {runner.RUNNERS_KEPT: [], BEFORE: []}
    for n in range(args.rounds):
        order = [runner.RUNNERS_KEPT, BEFORE] if n % 2 == 0 else [BEFORE, runner.RUNNERS_KEPT]
        for kept in order:
            results[kept].append(per_advice(kept, snapshot, warm, timed))
    now, before = (statistics.median(results[k]) for k in (runner.RUNNERS_KEPT, BEFORE))
    print(
        f"{len(timed)} advices timed, dates over {years[0]}-{years[-1]} ({len(sets)} sets of "
        f"rates), {args.rounds} rounds"
    )
    print(
        f"ms per advice: {now:.1f} keeping {runner.RUNNERS_KEPT} runners, {before:.1f} keeping "
        f"{BEFORE}; ratio {before / now:.1f}x"
    )


if __name__ == "__main__":
    main()
