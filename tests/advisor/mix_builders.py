"""Builders for the mix tests: synthetic instrument records and the mixes composed from them.

`mixes(records)` ranks the records in the order given (the first best) and composes the mixes of
advisor/mixes.py for a 10,000,000 EUR project unless a profile is given; `cents` and `shapes`
read the result as whole cents per (instrument, cost line).
"""

from typing import Any

from advisor.mixes import compose
from advisor.models import Mix, Option, ProjectProfile
from advisor.money import Converter
from catalogue.datafiles import load
from catalogue.schema import InstrumentRecord
from catalogue.snapshot import Snapshot
from tests.builders import instrument_record, make_profile

SOURCE = {"document": "test", "reference": "synthetic record", "supports": []}
FX_RATES = load().fx_rates


def record(iid: str, kind: str, **fields: Any) -> InstrumentRecord:
    fields = {"name_en": iid, "name_zh": iid, "sources": [SOURCE], **fields}
    return instrument_record(id=iid, kind=kind, **fields)


def eu_grant(iid: str, rate: float, **fields: Any) -> InstrumentRecord:
    return record(iid, "grant", eu_funds=True, co_financing=[{"rate": rate}], **fields)


def loan(iid: str = "loan", **fields: Any) -> InstrumentRecord:
    return record(iid, "loan", **fields)


def mixes(records: list[InstrumentRecord], profile: ProjectProfile | None = None) -> list[Mix]:
    """The mixes from options ranked and scored in `records`' order (the first the best)."""
    ranks = {r.id: i + 1 for i, r in enumerate(records)}
    scores = {r.id: float(len(records) - i) for i, r in enumerate(records)}
    return options_mixes(records, ranks, scores, profile)


def options_mixes(
    records: list[InstrumentRecord],
    ranks: dict[str, int],
    scores: dict[str, float],
    profile: ProjectProfile | None = None,
) -> list[Mix]:
    """The mixes `compose` makes from these records as options of the given ranks and scores,
    handed to it in `records`' order."""
    profile = profile or make_profile(capex={"amount": 10_000_000, "currency": "EUR"})
    snapshot = Snapshot("test", tuple(records), (), FX_RATES)
    options = ranked_options(records, ranks, scores)
    assert profile.as_of is not None
    return compose(
        options=options,
        snapshot=snapshot,
        profile=profile,
        money=Converter(snapshot, profile.as_of),
    )


def ranked_options(
    records: list[InstrumentRecord], ranks: dict[str, int], scores: dict[str, float]
) -> list[Option]:
    """The records as eligible options of the given ranks and scores, in `records`' order."""
    return [
        Option.model_validate(
            {
                "instrument_id": r.id,
                "name": r.id,
                "name_zh": r.id,
                "kind": r.kind,
                "jurisdiction": r.jurisdiction,
                "rank": ranks[r.id],
                "score": scores[r.id],
                "status": "active",
                "reasons": [],
            }
        )  # fmt: skip
        for r in records
    ]


def cents(mix: Mix) -> dict[tuple[str, str], int]:
    return {(c.instrument_id, c.covers): round(c.amount.amount * 100) for c in mix.components}


def shapes(found: list[Mix]) -> list[dict[tuple[str, str], int]]:
    return [cents(m) for m in found]


M = 100  # cents per unit of currency
