"""Reasons cite the source that backs what they matched, not the first source of the field."""

from advisor.advice import advise
from catalogue.snapshot import Snapshot
from tests.builders import make_profile


def _reason(advice, instrument: str, rule: str):  # type: ignore[no-untyped-def]
    option = next(o for o in [*advice.options] if o.instrument_id == instrument)
    return next(r for r in option.reasons if r.rule == rule)


def test_revenue_reason_cites_the_source_of_the_matched_stream(snapshot: Snapshot) -> None:
    """Where sources back one revenue stream of a record (`revenue_streams_any=stream`), the
    revenue reason for a project with just that stream cites one of them."""
    checked = 0
    for record in snapshot.instruments:
        backing: dict[str, list[str]] = {}
        for source in record.sources:
            for field in source.supports:
                if field.startswith("revenue_streams_any="):
                    backing.setdefault(field.split("=", 1)[1], []).append(source.document)
        for stream, documents in backing.items():
            advice = advise(make_profile(revenue_streams=[stream]), snapshot, limit=50)
            if record.id not in {o.instrument_id for o in advice.options}:
                continue
            reason = _reason(advice, record.id, "score_revenue_alignment")
            assert any(d in reason.source for d in documents), (record.id, stream, reason.source)
            checked += 1
    assert checked  # the catalogue backs stream values for at least one offered record


def test_an_amount_cites_the_clause_of_its_rate(snapshot: Snapshot) -> None:
    """ERDF 2021-2027 at 85% for a less developed region rests on CPR Art. 112."""
    advice = advise(make_profile(region_category="less_developed"), snapshot)
    option = next(o for o in advice.options if o.instrument_id == "erdf_2021_2027")
    assert option.amount_basis is not None
    assert "1060" in option.amount_basis.source and "112" in option.amount_basis.source
    assert option.max_amount is not None and option.max_amount.amount == 8_500_000
