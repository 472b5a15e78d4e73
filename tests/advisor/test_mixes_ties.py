"""Ties and determinism of the mixes (advisor/mixes_lp.py: the secondary objective): options of
one score go to the better-ranked, and one short list gives the same mixes in any order, on any
thread, after any other solve.
"""

import random
import threading
from collections.abc import Callable

import pytest

from advisor.mixes_lp import programme
from advisor.models import Mix, ProjectProfile
from catalogue.schema import InstrumentRecord
from tests.advisor.mix_builders import (
    M,
    cents,
    eu_grant,
    loan,
    mixes,
    options_mixes,
    record,
    shapes,
)
from tests.builders import make_profile


def ranked_mixes(
    records: list[InstrumentRecord],
    ranks: dict[str, int],
    profile: ProjectProfile | None = None,
    score: float = 1.0,
) -> list[Mix]:
    """The mixes from options of one score, ranked as `ranks` says, given in `records`' order."""
    return options_mixes(records, ranks, {r.id: score for r in records}, profile)


# HiGHS settings that take the relaxed model's solve to another optimal vertex where several
# are optimal: the shipped ones, presolve on (as the model once ran), the primal simplex,
# Dantzig pricing. The tie rule, not the solver's path, must decide a tie on each.
SOLVER_PATHS = [
    {},
    {"presolve": "on"},
    {"simplex_strategy": 4},
    {"simplex_strategy": 1, "simplex_dual_edge_weight_strategy": 0},
]


def on_solver_path(options: dict[str, object], check: Callable[[], None]) -> None:
    """`check` on a new thread (so a new model) whose relaxed model has `options` set; what
    it raises is raised again here."""
    failed: list[BaseException] = []

    def work() -> None:
        try:
            for name, value in options.items():
                programme().h.setOptionValue(name, value)
            check()
        except BaseException as exc:  # noqa: BLE001 - raised again on the test's thread
            failed.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]


@pytest.mark.parametrize("options", SOLVER_PATHS)
def test_a_tie_between_two_options_goes_to_the_better_ranked(options: dict[str, object]) -> None:
    """Two loans of one score, each up to 60% of 10,000,000: every strategy values them alike,
    so the better-ranked takes its 6,000,000 and the other the remaining 4,000,000, whichever
    order the options come in and whichever optimal vertex the solver reaches."""
    first, second = loan("first", max_share_of_cost=0.6), loan("second", max_share_of_cost=0.6)
    expected = [{("first", "investment"): 6_000_000 * M, ("second", "investment"): 4_000_000 * M}]
    ranks = {"first": 1, "second": 2}
    swapped = {"first": 2, "second": 1}

    def check() -> None:
        assert shapes(ranked_mixes([first, second], ranks)) == expected
        assert shapes(ranked_mixes([second, first], ranks)) == expected
        assert shapes(ranked_mixes([first, second], swapped)) == [
            {("second", "investment"): 6_000_000 * M, ("first", "investment"): 4_000_000 * M}
        ]

    on_solver_path(options, check)


BOTH_LINES = [{"rate": 1.0, "costs": "development"}, {"rate": 1.0, "costs": "investment"}]


@pytest.mark.parametrize("options", SOLVER_PATHS)
def test_the_better_ranked_option_takes_the_development_line_in_a_tie(
    options: dict[str, object],
) -> None:
    """A grant and a loan each fund either cost line, at most half of 11,000,000: each funds
    5,500,000 whichever line it is on, so which one funds the 1,000,000 of development is a
    tie, and it goes to the better-ranked, whichever optimal vertex the solver reaches."""
    profile = make_profile(
        capex={"amount": 10_000_000, "currency": "EUR"},
        development_cost={"amount": 1_000_000, "currency": "EUR"},
    )
    grant = record("grant", "grant", costs_covered=["development", "investment"],
                   co_financing=BOTH_LINES, max_share_of_cost=0.5)  # fmt: skip
    lender = loan("loan", costs_covered=["development", "investment"],
                  co_financing=BOTH_LINES, max_share_of_cost=0.5)  # fmt: skip

    def check() -> None:
        for ranks in ({"grant": 1, "loan": 2}, {"grant": 2, "loan": 1}):
            best, other = sorted(ranks, key=ranks.__getitem__)
            expected = {
                (best, "development"): 1_000_000 * M,
                (best, "investment"): 4_500_000 * M,
                (other, "investment"): 5_500_000 * M,
            }
            for records in ([grant, lender], [lender, grant]):
                found = ranked_mixes(records, ranks, profile)
                assert found and all(cents(m) == expected for m in found)

    on_solver_path(options, check)


def test_the_same_short_list_gives_the_same_mixes_in_any_order_after_any_other_solve() -> None:
    """Seven options with ties among them: every order of the options, solved after other
    short lists on this thread's model or on a new thread's, gives identical mixes."""
    profile = make_profile(
        capex={"amount": 12_345_678.9, "currency": "EUR"},
        development_cost={"amount": 654_321, "currency": "EUR"},
    )
    records = [
        eu_grant("g70", 0.7), eu_grant("g50", 0.5),
        record("grant", "grant", costs_covered=["development", "investment"],
               co_financing=BOTH_LINES, max_share_of_cost=0.3),
        loan("l1", max_share_of_cost=0.6), loan("l2", max_share_of_cost=0.6, min_ticket=2e6),
        loan("l3", costs_covered=["development", "investment"], co_financing=BOTH_LINES),
        record("ppp", "ppp_structure", max_share_of_cost=0.8),
    ]  # fmt: skip
    ranks = {r.id: i + 1 for i, r in enumerate(records)}
    reference = ranked_mixes(records, ranks, profile)
    assert reference
    rng = random.Random(13)
    for _ in range(8):
        shuffled = rng.sample(records, len(records))
        mixes([eu_grant("g33", 0.33), loan(max_share_of_cost=0.6)])  # another short list first
        assert ranked_mixes(shuffled, ranks, profile) == reference
    elsewhere: list[list[Mix]] = []
    thread = threading.Thread(
        target=lambda: elsewhere.append(ranked_mixes(records, ranks, profile))
    )
    thread.start()
    thread.join()
    assert elsewhere == [reference]
