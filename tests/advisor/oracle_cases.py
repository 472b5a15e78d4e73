"""Builders for the eligibility checker's own tests: synthetic records with cited values, the
reference rates they convert at, and one verdict on a profile."""

from datetime import date
from typing import Any

from catalogue.schema import FxRate, InstrumentRecord
from tests.advisor.eligibility_oracle import Verdict, check
from tests.builders import instrument_record, make_profile

SOURCE = {"document": "instrument_facts.md", "reference": "see the test case"}

# ECB reference rates (units per EUR) of 2013-05-22 and 2014-10-24, restated (the rows the
# catalogue's fx file carried before it moved to one row a year).
FX = [
    FxRate(currency=c, date=d, per_eur=r, source={"document": "ECB", "reference": str(d)})
    for c, d, r in [
        ("CNY", date(2013, 5, 22), 7.9232),
        ("CNY", date(2014, 10, 24), 7.7426),
        ("USD", date(2014, 10, 24), 1.2659),
    ]
]


def record(**fields: Any) -> InstrumentRecord:
    """A synthetic EU grant at 100% unless `fields` say otherwise."""
    defaults = {
        "id": "synthetic", "name_en": "Synthetic", "name_zh": "合成", "jurisdiction": "EU",
        "description": "a record built by the test", "co_financing": [{"rate": 1.0}],
        "sources": [SOURCE],
    }  # fmt: skip
    return instrument_record(**{**defaults, **fields})


def verdict(rec: InstrumentRecord, *others: InstrumentRecord, **profile: Any) -> Verdict:
    return check(make_profile(**profile), [rec, *others], FX)[rec.id]
