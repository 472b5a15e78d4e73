"""Ranking of eligible options: by fit score, interleaving kinds of instrument; the short list.

A finance officer's shortlist is more useful when it shows the different routes (a grant, a
loan, a bond, a PPP structure) than five variants of one. Options are taken greedily by score,
each already-ranked option of the same kind lowering the next one's score by
`SAME_KIND_PENALTY`. The penalty is part of the score shown, with a reason that says so, so the
order shown always follows the score shown (taken greedily, the scores never rise).

The short list holds at most `limit` options that fit (score above `MIN_SCORE`) and fund some of
this project's costs (an amount above zero); every other eligible instrument is listed in
`also_eligible` with one line on why it ranks lower.
"""

from advisor.models import AlsoEligible, Option, Reason

SAME_KIND_PENALTY = 1.5
MIN_SCORE = 0.5
DIVERSITY = "advisor/ranking.py (product policy: a short list shows different routes)"


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
        before = taken.get(option.kind, 0)
        taken[option.kind] = before + 1
        update: dict[str, object] = {"rank": len(ranked) + 1}
        if before:
            penalty = SAME_KIND_PENALTY * before
            update["score"] = round(option.score - penalty, 3)
            update["reasons"] = [
                *option.reasons,
                Reason(
                    rule="rank_route_diversity",
                    text=f"{before} higher-ranked option(s) are also of kind "
                    f"{option.kind.replace('_', ' ')}: {-penalty:+.1f} so that the list shows "
                    "different routes",
                    source=DIVERSITY,
                ),
            ]
        ranked.append(option.model_copy(update=update))
    return ranked


def _zero_reason(option: Option) -> str:
    if option.kind == "delivery_tool":
        return "a delivery tool: it bundles other funds and carries no money of its own"
    if option.covers:
        return "its ceiling leaves nothing of this project's costs to fund"
    return "funds none of the costs the profile gives (investment or development)"


def shortlist(candidates: list[Option], *, limit: int) -> tuple[list[Option], list[AlsoEligible]]:
    """The ranked short list, and every other eligible option with why it ranks lower."""
    funding = [o for o in candidates if o.max_amount is not None and o.max_amount.amount > 0]
    ranked = rank(funding)
    fits = [o for o in ranked if o.score > MIN_SCORE]
    options = [  # ranked greedily, the scores never rise: the fits keep their ranks
        o if o.rank == i + 1 else o.model_copy(update={"rank": i + 1})
        for i, o in enumerate(fits[:limit])
    ]
    also: list[AlsoEligible] = []
    for option in fits[limit:]:
        also.append(_also(option, f"ranks below the short list of {limit}"))
    for option in ranked:
        if option.score <= MIN_SCORE:
            top = option.reasons[0].text if option.reasons else "nothing in its favour"
            also.append(_also(option, f"fit score {option.score} (at most {MIN_SCORE}): {top}"))
    for option in candidates:
        if option.max_amount is None or option.max_amount.amount <= 0:
            also.append(_also(option, _zero_reason(option)))
    return options, also


def _also(option: Option, why: str) -> AlsoEligible:
    return AlsoEligible(
        instrument_id=option.instrument_id,
        name=option.name,
        name_zh=option.name_zh,
        kind=option.kind,
        score=option.score,
        why_lower=why,
    )
