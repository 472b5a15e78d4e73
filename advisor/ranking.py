"""Ranking of eligible options: by fit score, interleaving kinds of instrument.

A finance officer's shortlist is more useful when it shows the different routes (a grant, a
loan, a bond, a PPP structure) than five variants of one. Options are taken greedily by score,
each already-ranked option of the same kind lowering the next one's effective score by
`SAME_KIND_PENALTY`; the option keeps its own score.
"""

from advisor.models import Option

SAME_KIND_PENALTY = 1.5


def rank(options: list[Option]) -> list[Option]:
    pending = sorted(
        options,
        key=lambda o: (-o.score, -(o.max_amount.amount if o.max_amount else 0), o.instrument_id),
    )
    taken: dict[str, int] = {}
    ranked: list[Option] = []
    while pending:
        best = max(
            range(len(pending)),
            key=lambda i: (
                pending[i].score - SAME_KIND_PENALTY * taken.get(pending[i].kind, 0),
                -i,
            ),
        )
        option = pending.pop(best)
        taken[option.kind] = taken.get(option.kind, 0) + 1
        ranked.append(option.model_copy(update={"rank": len(ranked) + 1}))
    return ranked
