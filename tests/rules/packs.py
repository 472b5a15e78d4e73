"""What the rule-pack tests share: one pack alone on a profile and some records, and the
policy record China's rules read (its params, as the catalogue's policy records carry them)."""

from typing import Any

from advisor.engine import catalogue_facts, instrument_fact, project_fact
from catalogue.schema import InstrumentRecord
from rules.engine import CollectsFindings
from tests.builders import TEST_SOURCE, instrument_record, make_profile

SOURCE = TEST_SOURCE
record = instrument_record


def fired(
    pack: type,
    profile_overrides: dict[str, Any],
    *records: InstrumentRecord,
    borrowing: tuple[float, str] | None = None,
) -> set[str]:
    """The rules of `pack` that fire; `borrowing`: the project-capital limit on borrowed money
    (advisor/capital.py), none by default."""
    engine_class = type(f"Only{pack.__name__}", (CollectsFindings, pack), {})
    engine = engine_class()
    engine.reset()
    same = lambda amount, currency: amount  # noqa: E731  (amounts already in EUR here)
    engine.declare(*catalogue_facts([instrument_fact(rec, same) for rec in records], []))
    engine.declare(project_fact(make_profile(**profile_overrides), same, borrowing))
    engine.run()
    return {f["rule"] for f in engine.findings}


POLICY = {
    "id": "cn_policy", "jurisdiction": "CN", "kind": "ppp_structure",
    "params": {"user_pays_only_since": "2023-11-03", "user_pays_streams": "user_fees, parking_fees",
               "fiscal_cap_share_of_general_budget": 0.10},
}  # fmt: skip
