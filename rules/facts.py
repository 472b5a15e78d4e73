"""Fact classes: the boundary type between the advisor and the rule packs.

The advisor converts a profile and catalogue records into these facts (advisor/facts.py) and
reads the derived facts back; fact dicts never leave the advisor.

Input facts
    Project     the project being advised on; amounts already converted to EUR
    Instrument  one catalogue instrument; amounts in EUR, each field's citation in `cite`
                (declared for the rules that read one policy record; generic rules match Groups)
    Model       one catalogue business model (the row form Groups are built from)
    Group       the rows that share one attribute value (what generic rules match)
Derived facts (declared by rules)
    Criterion   one tested criterion: rule, test, value, threshold, source, passed, hard
    Score       a soft fit component for an instrument: points and why
    Caution     something an eligible instrument's user must watch: text and source
"""

from types import MappingProxyType

from rules._experta import Fact


class Project(Fact):
    """Fields: country, sectors (tuple), stage, applicant, capex, development, total (EUR),
    revenue (tuple of streams, 'none' dropped), population, region_category (in the programme
    period of as_of), previous_region_category (2014-2020), region_period (rules/ceilings.py
    `region_period`), partner_countries,
    as_of (date), maturity (0-3 or -1 unknown), risk_appetite, keep_public, ppp_payments_share,
    debt_to_revenue, undertaking (bool), borrowing ((share of the total investment loans and
    bonds may fund, clause) where the country requires project capital, else None)."""


class Instrument(Fact):
    """Fields: id, kind, jurisdiction, countries, applicants, sectors, stages, costs, eu_funds,
    min_ticket, max_ticket, min_cost, max_cost, max_share, min_population, min_partners,
    revenue_required, revenue_any, valid_from, valid_to, status, successor, complexity (0-2),
    cost_of_money, risk_transfer (0-2), min_maturity (0-3), unconfirmed (tuple), params (dict),
    cite (dict: field -> citation)."""


class Group(Fact):
    """Catalogue rows that share one attribute value, matched as one fact.

    Fields: of ("instrument" | "model"), attribute (name), value (the shared value), members
    (ids), cites (id -> citation for the attribute), soft (ids whose value is unconfirmed: a
    failed test is a caution for them, never an exclusion), extra (id -> per-member data).

    Generic rules match groups rather than single rows, so a join holds one token per distinct
    value (a dozen or so) instead of one per row, whatever the catalogue's size.
    """


class Model(Fact):
    """A business model: id, revenue, sectors, ownership, operator_capacity (0-2), min_maturity
    (0-3), risk_appetite, jurisdictions, banned_in, banned_since, cn_after_reform (bool), payer
    (tuple), asset_fit and incentives (tuples of frozen entries, catalogue/schema.py), unconfirmed,
    cite."""


class _Finding(Fact):
    """A conclusion no rule matches (rules/engine.py keeps findings out of the network).

    Findings hold immutable scalars only, so experta's per-value freezing is skipped: a finding
    is built by `dict.update` from its keyword fields, with no Python-level `__init__`. A finding
    class declares no fields, so experta's `Fact.__missing__` raises KeyError before it would
    read the per-fact defaults: one shared, read-only empty mapping stands for them.
    """

    __init__ = dict.update  # type: ignore[assignment]
    _Fact__defaults = MappingProxyType({})


class Criterion(_Finding):
    """Fields: instrument (or business model id, with about="business_model"), rule, test, value,
    threshold, source, passed, hard, fixable, hint, about."""


class Score(_Finding):
    """Fields: instrument, rule, points, text, source, about."""


class Caution(_Finding):
    """Fields: instrument, rule, text, source, about."""


DERIVED = (Criterion, Score, Caution)
