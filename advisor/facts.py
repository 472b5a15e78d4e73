"""Facts built from the domain models and the catalogue records, for the rule engine.

The first conversion of STYLE.md (7): `project_fact` turns a profile into the per-profile fact,
`instrument_fact` / `model_fact` turn catalogue records into facts (amounts in EUR, each field
with the source that supports it), and `catalogue_facts` adds the attribute groups the generic
rules match. advisor/engine.py runs the rules on them and converts the findings back.
"""

from collections.abc import Callable

from advisor.grouping import INSTRUMENT_SPECS, MODEL_SPECS, groups
from advisor.models import ProjectProfile
from catalogue.schema import BusinessModelRecord, InstrumentRecord, SourceRef
from catalogue.vocabulary import EU27, MATURITY_ORDER
from rules._experta import freeze
from rules.ceilings import Terms, region_period
from rules.facts import Group, Instrument, Model, Project

LEVEL = {"low": 0, "medium": 1, "high": 2}
UNDERTAKINGS = {"sme", "large_enterprise", "municipal_company"}
# Annex 5 characteristics that decide what financing a city can manage.
FINANCE_DIMENSIONS = ("governance", "funding", "business_models")

ToEur = Callable[[float, str], float]


def citation(source: SourceRef) -> str:
    """A source as one line: seed file, section and lines; or reference and URL."""
    parts = [source.document]
    if source.section:
        parts.append(source.section)
    if source.lines:
        parts.append(source.lines)
    if source.reference:
        parts.append(source.reference)
    text = " ".join(parts)
    return f"{text}: {source.url}" if source.url else text


def citations(record: InstrumentRecord | BusinessModelRecord) -> dict[str, str]:
    """Per field, the source that supports it; per `field=value`, the one supporting that value.

    Where several sources support a field, an official reference (a legal text or programme
    page) is preferred to a seed line, so a rate or rule cites the clause it rests on. A field
    no source supports falls back to the record's first source ("*").
    """
    cites: dict[str, str] = {"*": citation(record.sources[0])}
    ranked = sorted(record.sources, key=lambda s: s.lines is not None)  # official refs first
    for source in ranked:
        for field in source.supports:
            cites.setdefault(field, citation(source))
            if "=" in field:  # the source backs one value of the field: it backs the field too
                cites.setdefault(field.split("=", 1)[0], citation(source))
    return cites


def maturity_level(profile: ProjectProfile) -> int:
    """The city's Annex 5 level for financing (-1 when the profile does not say)."""
    given = profile.city_maturity
    if not given:
        return -1
    finance = [MATURITY_ORDER[given[d]] for d in FINANCE_DIMENSIONS if d in given]
    levels = finance or [MATURITY_ORDER[v] for v in given.values()]
    return min(levels)


def jurisdiction_of(country: str) -> str:
    """The catalogue jurisdiction a country's projects fall under."""
    if country == "CN":
        return "CN"
    return "EU" if country in EU27 else "GLOBAL"


def project_fact(
    profile: ProjectProfile, to_eur: ToEur, borrowing: tuple[float, str] | None = None
) -> Project:
    """The per-profile fact. `borrowing`: the largest share of the total investment loans and
    bonds may fund in the project's country, with its clause (advisor/capital.py), or None."""
    capex = to_eur(profile.capex.amount, profile.capex.currency)
    dev = profile.development_cost
    development = to_eur(dev.amount, dev.currency) if dev else 0.0
    prefs = profile.preferences
    fiscal = profile.fiscal
    partners = profile.partners
    return Project(
        country=profile.country,
        sector=profile.sector,
        sectors=tuple(profile.all_sectors()),
        stage=profile.stage,
        applicant=profile.applicant,
        capex=capex,
        development=development,
        total=capex + development,
        revenue=tuple(sorted(s for s in set(profile.revenue_streams) if s != "none")),
        population=profile.population,
        region_category=profile.region_category,
        previous_region_category=profile.region_category_2014_2020,
        region_period=region_period(profile.as_of),
        partner_countries=partners.countries if partners else 0,
        industry_partner=bool(partners and partners.industry),
        as_of=profile.as_of,
        maturity=maturity_level(profile),
        risk_appetite=prefs.risk_appetite if prefs else None,
        max_private_share=prefs.max_private_share if prefs else None,
        jurisdiction=jurisdiction_of(profile.country),
        keep_public=bool(prefs and prefs.keep_public_ownership),
        ppp_payments_share=fiscal.ppp_payments_share if fiscal else None,
        debt_to_revenue=fiscal.debt_to_revenue if fiscal else None,
        undertaking=profile.applicant in UNDERTAKINGS,
        borrowing=borrowing,
    )


def instrument_fact(record: InstrumentRecord, to_eur: ToEur) -> Instrument:
    cur = record.ticket_currency

    def eur(amount: float | None) -> float | None:
        return None if amount is None else to_eur(amount, cur)

    cites = citations(record)
    return Instrument(
        id=record.id,
        kind=record.kind,
        jurisdiction=record.jurisdiction,
        countries=tuple(record.countries()),
        applicants=tuple(record.applicant_types),
        sectors=tuple(record.sectors),
        stages=tuple(record.stages),
        costs=tuple(record.costs_covered),
        eu_funds=record.eu_funds,
        min_ticket=eur(record.min_ticket),
        max_ticket=eur(record.max_ticket),
        min_cost=eur(record.min_project_cost),
        max_cost=eur(record.max_project_cost),
        max_share=record.max_share_of_cost,
        min_population=record.min_population,
        min_partners=record.min_partner_countries,
        co_financing=freeze([rate.model_dump() for rate in record.co_financing]),
        terms=terms_of(record, to_eur, cites),
        reach=reach_of(record),
        prohibited=(record.status == "prohibited", record.prohibited_from),
        revenue_required=record.revenue_required,
        revenue_any=tuple(record.revenue_streams_any),
        valid_from=record.valid_from,
        valid_to=record.valid_to,
        status=record.status,
        successor=record.successor,
        complexity=LEVEL[record.complexity],
        cost_of_money=record.cost_of_money,
        risk_transfer=LEVEL[record.risk_transfer],
        min_maturity=MATURITY_ORDER[record.min_maturity],
        unconfirmed=tuple(record.unconfirmed),
        params=freeze(dict(record.params)),
        cite=freeze(cites),
    )


def terms_of(record: InstrumentRecord, to_eur: ToEur, cites: dict[str, str] | None = None) -> Terms:
    """What the instrument's amount depends on, in EUR (rules/ceilings.py)."""
    cur = record.ticket_currency
    unconfirmed = set(record.unconfirmed)
    typical = record.typical_ticket
    cites = cites if cites is not None else citations(record)
    return Terms(
        kind=record.kind,
        costs=tuple(record.costs_covered),
        rates=tuple(freeze(rate.model_dump()) for rate in record.co_financing),
        rates_stated="co_financing" not in unconfirmed,
        max_share=record.max_share_of_cost,
        share_confirmed="max_share_of_cost" not in unconfirmed,
        max_ticket=None if record.max_ticket is None else to_eur(record.max_ticket, cur),
        max_ticket_confirmed="max_ticket" not in unconfirmed,
        typical_high=None if typical is None or typical.high is None else to_eur(typical.high, cur),
        rates_source=_rates_source(record, cites),
        share_source=cites.get("max_share_of_cost", ""),
        ticket_source=cites.get("max_ticket", ""),
        typical_source=cites.get("typical_ticket", ""),
    )


def _rates_source(record: InstrumentRecord, cites: dict[str, str]) -> str:
    """What an amount at the rate rests on: the co-financing clause, else the share cap's, else
    the record's own statement of why no ceiling applies (a structure or market route)."""
    if cites.get("co_financing"):
        return cites["co_financing"]
    if cites.get("max_share_of_cost"):
        return cites["max_share_of_cost"]
    reason = record.not_applicable.get("co_financing")
    if reason:
        return f"catalogue {record.id}: no co-financing ceiling applies ({reason})"
    return cites["*"]


def reach_of(record: InstrumentRecord) -> tuple:  # type: ignore[type-arg]
    """(eligible countries, windows) with groups expanded: windows are (countries, from, to,
    funded) tuples."""
    from catalogue.vocabulary import COUNTRY_GROUPS

    windows = tuple(
        (
            tuple(sorted({c for code in w.countries for c in COUNTRY_GROUPS.get(code, (code,))})),
            w.valid_from,
            w.valid_to,
            w.funded,
        )
        for w in record.reach
    )
    return (tuple(record.countries()), windows)


def model_fact(record: BusinessModelRecord) -> Model:
    return Model(
        id=record.id,
        revenue=tuple(record.revenue_streams),
        sectors=tuple(record.sectors),
        stages=tuple(record.stages),
        ownership=record.ownership,
        operator_capacity=LEVEL[record.operator_capacity],
        min_maturity=MATURITY_ORDER[record.min_maturity],
        risk_appetite=tuple(record.risk_appetite),
        jurisdictions=tuple(record.jurisdictions),
        banned_in=tuple(record.banned_in),
        banned_since=record.banned_since,
        cn_after_reform=record.allowed_in_cn_after_2023,
        payer=tuple(sorted(record.payer)),
        asset_fit=tuple(freeze(entry.model_dump()) for entry in record.asset_fit),
        incentives=tuple(freeze(entry.model_dump()) for entry in record.incentives),
        precedents=len({case.city for case in record.recorded_cases}),
        unconfirmed=tuple(record.unconfirmed),
        cite=freeze(citations(record)),
    )


def catalogue_facts(instruments: list[Instrument], models: list[Model]) -> list[Instrument | Group]:
    """What an engine holds for one catalogue revision: the instruments (policy rules match
    them one by one) and the attribute groups the generic rules match."""
    return [
        *instruments,
        *groups(instruments, INSTRUMENT_SPECS, "instrument"),
        *groups(models, MODEL_SPECS, "model"),
    ]
