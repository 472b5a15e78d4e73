"""What to verify before relying on an option that is one to check: the soft criteria it
failed, the conditions on the project no profile field states, the eligibility fields its
record marks unconfirmed (each shown as an officer reads it), and an amount without a
confirmed bound (docs/eligibility.md, section 2)."""

from datetime import date
from typing import Any

from advisor.engine import Finding
from advisor.facts import citations
from catalogue.schema import InstrumentRecord, ReachWindow
from rules.ceilings import Ceiling

# Fields an option's eligibility rests on (docs/eligibility.md, section 2): when the catalogue
# marks one unconfirmed, the option goes to `to_check`, whatever the engine's tests said.
ELIGIBILITY_FIELDS = frozenset((
    "eligible_countries", "reach", "applicant_types", "sectors", "stages", "costs_covered",
    "min_ticket", "min_project_cost", "max_project_cost", "revenue_required",
    "revenue_streams_any", "min_population", "min_partner_countries", "valid_from", "valid_to",
    "status", "prohibited_from", "params.prohibited_countries", "params.prohibited_applicants",
    "params.private_partner_in_public_project",
))  # fmt: skip
AMOUNT_FIELDS = frozenset(("min_ticket", "min_project_cost", "max_project_cost"))


def to_verify(
    soft: list[Finding], unconfirmed: tuple[str, ...], cap: Ceiling, no_share_cap: str | None
) -> list[str]:
    """What to verify before relying on an option whose eligibility rests on unconfirmed facts:
    the soft criteria it failed, its record's `unconfirmed_eligibility` and an unknown rate
    (or, where the record says no share cap applies, for instance the city's own budget, the
    capacity that decides the amount instead)."""
    out = [_soft_line(f) for f in soft]
    out += unconfirmed
    if not cap.known:
        out.append(
            f"amount: {no_share_cap}; the capacity behind it sets the amount: verify it"
            if no_share_cap
            else "co-financing ceiling: no source gives the rate for this project's costs"
        )
    return out


# soft criteria on a value the profile does not give (the record's threshold is confirmed)
PROFILE_GAPS = frozenset({"exclude_city_population_not_given"})


def _soft_line(finding: Finding) -> str:
    if finding.rule in PROFILE_GAPS:
        return f"{finding.test}: {finding.value} in the profile, against {finding.threshold}"
    return (
        f"{finding.test}: {finding.value} against {finding.threshold} "
        "(the catalogue's value is unconfirmed)"
    )


def unconfirmed_eligibility(record: InstrumentRecord) -> tuple[str, ...]:
    """One line per condition on the project that no profile field states (`conditions`, with
    the source that sets it), then one per eligibility field the record marks unconfirmed, in
    the record's order: a function of the record alone."""
    out = []
    if record.conditions:
        source = citations(record).get("conditions")
        cited = f" ({source})" if source else ""
        out += [
            f"condition: {condition}; the profile cannot state it{cited}"
            for condition in record.conditions
        ]
    for name in record.unconfirmed:
        if name in ELIGIBILITY_FIELDS:
            if name.startswith("params."):
                value = record.params.get(name.removeprefix("params."))
            else:
                value = getattr(record, name)
            shown = _shown(record, name, value)
            out.append(f"{name}: the catalogue holds {shown}, which no source has confirmed")
    return tuple(out)


def _shown(record: InstrumentRecord, name: str, value: Any) -> str:
    """An eligibility field's value as an officer reads it: dates in ISO form, lists in
    brackets, amounts in the record's ticket currency, reach windows with dates and basis."""
    if value is None:
        return "none"
    if name == "reach":
        if not value:
            return "no window beyond eligible_countries"
        return "; ".join(_window(w) for w in value)
    if value == []:
        return "any"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if name in AMOUNT_FIELDS:
        return f"{value:,.0f} {record.ticket_currency}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _window(window: ReachWindow) -> str:
    """One reach window: 'GB to 2020-12-31 (basis)', 'NO from 2021-01-01, not funded (basis)'."""
    when = [f"from {window.valid_from.isoformat()}"] if window.valid_from else []
    when += [f"to {window.valid_to.isoformat()}"] if window.valid_to else []
    funded = [] if window.funded else ["not funded"]
    head = " ".join([", ".join(window.countries), *when])
    return ", ".join([head, *funded]) + f" ({window.basis})"
