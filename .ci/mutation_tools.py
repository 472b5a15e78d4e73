"""Helpers of .ci/mutation around cosmic-ray sessions: skip what is not behaviour, and score.

    python .ci/mutation_tools.py skip SESSION NAME...   skip mutants inside these definitions
    python .ci/mutation_tools.py sample SESSION FRACTION  run only a random share of them
    python .ci/mutation_tools.py score THRESHOLD SESSION...

`skip` marks as skipped the pending mutants whose enclosing definition (cosmic-ray records it
per mutation) is one of NAME; `<module>` names module-level code (policy tables and constants).
`score` prints, per session and in total, the mutants killed out of those run, then every
surviving mutant with its diff, and exits 1 when the share killed is below THRESHOLD percent.
Mutants that time out count as killed (cosmic-ray reports them so): the tests noticed.
"""

import random
import sys

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult


def skip(session: str, names: list[str]) -> None:
    wanted = set(names)
    skipped = 0
    with use_db(session, WorkDB.Mode.open) as db:
        for item in list(db.pending_work_items):
            definitions = {m.definition_name or "<module>" for m in item.mutations}
            if definitions & wanted:
                db.set_result(
                    item.job_id,
                    WorkResult(
                        output=f"skipped: inside {', '.join(sorted(definitions & wanted))}",
                        worker_outcome=WorkerOutcome.SKIPPED,
                    ),
                )
                skipped += 1
    print(f"{session}: skipped {skipped} mutant(s) inside {', '.join(sorted(wanted))}")


def sample(session: str, fraction: float) -> None:
    """Keep a random `fraction` of the pending mutants (a quick local estimate; CI runs all)."""
    rng = random.Random(session)
    skipped = 0
    with use_db(session, WorkDB.Mode.open) as db:
        for item in sorted(db.pending_work_items, key=lambda item: item.job_id):
            if rng.random() >= fraction:
                db.set_result(
                    item.job_id,
                    WorkResult(output="not sampled", worker_outcome=WorkerOutcome.SKIPPED),
                )
                skipped += 1
    print(f"{session}: sampled {fraction:.0%}, left out {skipped} mutant(s)")


def score(threshold: float, sessions: list[str]) -> int:
    killed_all = run_all = 0
    survivors: list[str] = []
    lines: list[str] = []
    for session in sessions:
        killed = run = incompetent = skipped = pending = 0
        with use_db(session, WorkDB.Mode.open) as db:
            results = dict(db.results)
            for item in db.work_items:
                result = results.get(item.job_id)
                if result is None:
                    pending += 1
                    continue
                if result.worker_outcome == WorkerOutcome.SKIPPED:
                    skipped += 1
                    continue
                if result.test_outcome == TestOutcome.INCOMPETENT:
                    incompetent += 1  # the mutant does not run at all: counted as killed
                run += 1
                if result.test_outcome == TestOutcome.SURVIVED:
                    m = item.mutations[0]
                    survivors.append(
                        f"--- {m.module_path}:{m.start_pos[0]} {m.operator_name} "
                        f"(in {m.definition_name or '<module>'})\n{result.diff or ''}"
                    )
                else:
                    killed += 1
        share = 100.0 * killed / run if run else 100.0
        lines.append(
            f"{session}: {killed}/{run} killed ({share:.1f}%), {skipped} skipped, "
            f"{incompetent} incompetent, {pending} pending"
        )
        killed_all += killed
        run_all += run
    total = 100.0 * killed_all / run_all if run_all else 100.0
    if survivors:
        print(f"surviving mutants ({len(survivors)}):")
        print("\n".join(survivors))
    print("\n".join(lines))
    print(f"mutation score: {killed_all}/{run_all} killed ({total:.1f}%), threshold {threshold}%")
    return 0 if total >= threshold else 1


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "skip":
        skip(argv[1], argv[2:])
        return 0
    if len(argv) == 3 and argv[0] == "sample":
        sample(argv[1], float(argv[2]))
        return 0
    if len(argv) >= 3 and argv[0] == "score":
        return score(float(argv[1]), argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
