"""Reach, not hope: every record states its limits, each sourced, unconfirmed or not applicable.

`advisor check-data --strict` fails a record that leaves one of `REQUIRED` unstated. A field is
stated when a source's `supports` names it (the source confirms the value, empty lists and
missing tickets included: "any applicant" is a claim like any other), when `unconfirmed` lists
it (research found no source: the engine then treats the option as one to check, ARCHITECTURE.md
"Reach, not hope"), or when `not_applicable` says why the field has no meaning for the record
(a contract form has no ticket of its own). A wildcard source does not count here.
"""

from catalogue.schema import InstrumentRecord

REQUIRED: tuple[str, ...] = (
    "eligible_countries",  # where it exists
    "reach",  # association and third-country windows, dated
    "applicant_types",
    "sectors",
    "costs_covered",
    "excluded_costs",
    "stages",  # the phases it funds
    "min_ticket",
    "typical_ticket",
    "max_ticket",
    "co_financing",  # share caps by region category and applicant
    "max_share_of_cost",
    "valid_from",
    "valid_to",
    "legal_basis",
)


def stated(record: InstrumentRecord) -> set[str]:
    """The fields a source backs, research left unconfirmed, or that do not apply."""
    supported = {field.split("=", 1)[0] for source in record.sources for field in source.supports}
    supported.discard("*")
    return supported | set(record.unconfirmed) | set(record.not_applicable)


def problems(record: InstrumentRecord) -> list[str]:
    """What keeps `record` from passing the strict check (empty when it passes)."""
    out: list[str] = []
    have = stated(record)
    for field in REQUIRED:
        if field not in have:
            out.append(f"{record.id}: {field} is neither sourced, unconfirmed nor not applicable")
    for field in record.not_applicable:
        value = getattr(record, field)
        default = type(record).model_fields[field].get_default(call_default_factory=True)
        if value != default:
            out.append(f"{record.id}: {field} is set but marked not applicable")
    if record.legal_basis is None and "legal_basis" not in record.not_applicable:
        out.append(f"{record.id}: legal_basis is empty")
    if record.conditions and not any("conditions" in s.supports for s in record.sources):
        out.append(f"{record.id}: conditions are set but no source supports them")
    return out


def report(records: list[InstrumentRecord] | tuple[InstrumentRecord, ...]) -> list[str]:
    """Every problem of every record, in catalogue order."""
    return [problem for record in records for problem in problems(record)]
