"""Fact classes: the boundary type between the advisor and the rule packs.

The advisor converts a profile and catalogue records into these facts (advisor/engine.py) and
reads the derived facts back; fact dicts never leave the advisor.

Input facts
    Project     the project being advised on; amounts already converted to EUR
    Instrument  one catalogue instrument; amounts in EUR, each field's citation in `cite`
    Model       one catalogue business model
Derived facts (declared by rules)
    Criterion   one tested criterion: rule, test, value, threshold, source, passed, hard
    Score       a soft fit component for an instrument: points and why
    Caution     something an eligible instrument's user must watch: text and source
"""

from rules._experta import Fact


class Project(Fact):
    """Fields: country, sectors (tuple), stage, applicant, capex, development, total (EUR),
    revenue (tuple of streams, 'none' dropped), population, region_category, partner_countries,
    as_of (date), maturity (0-3 or -1 unknown), risk_appetite, keep_public, ppp_payments_share,
    debt_to_revenue, undertaking (bool)."""


class Instrument(Fact):
    """Fields: id, kind, jurisdiction, countries, applicants, sectors, stages, costs, eu_funds,
    min_ticket, max_ticket, min_cost, max_cost, max_share, min_population, min_partners,
    revenue_required, revenue_any, valid_from, valid_to, status, successor, complexity (0-2),
    cost_of_money, risk_transfer (0-2), min_maturity (0-3), unconfirmed (tuple), params (dict),
    cite (dict: field -> citation)."""


class Model(Fact):
    """A business model: id, revenue, sectors, ownership, operator_capacity (0-2), min_maturity
    (0-3), risk_appetite, jurisdictions, banned_in, banned_since, cn_after_reform (bool),
    unconfirmed, cite."""


class Criterion(Fact):
    """Fields: instrument (or business model id, with about="business_model"), rule, test, value,
    threshold, source, passed, hard, fixable, hint, about."""


class Score(Fact):
    """Fields: instrument, rule, points, text, source, about."""


class Caution(Fact):
    """Fields: instrument, rule, text, source, about."""


DERIVED = (Criterion, Score, Caution)
