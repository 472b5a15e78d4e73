"""Project capital: the share of an investment its sponsor must carry as its own money.

China requires a minimum project-capital ratio for fixed-asset investment (Guofa [2009] 27,
[2015] 51, [2019] 26): loans and bonds together fund at most the rest. The ratios, by sector
and by the date each rule took effect, are catalogue params of the lenders' records, with
their clauses; the mix composer caps borrowed money by the share in force on the advice date.
"""

import weakref
from datetime import date

from advisor.facts import citations
from advisor.models import ProjectProfile
from catalogue.snapshot import Snapshot

SECTOR_KEYS = {"transport": ("rail", "road")}  # keys of the capital tables a sector falls under


def _shares(table: object) -> dict[str, float]:
    """A capital table written as "key:share, key:share"."""
    out = {}
    for part in str(table or "").split(","):
        key, _, value = part.partition(":")
        if key.strip() and value.strip():
            out[key.strip()] = float(value)
    return out


def _capital_for(params: dict, sector: str, on: date) -> tuple[float, str, date]:  # type: ignore[type-arg]
    """The minimum project-capital share in force on `on` for `sector`, from one record's
    dated tables (Guofa [2009] 27, [2015] 51, [2019] 26), with the param it was read from: a
    transport project takes the highest rail or road entry (the profile does not say which),
    any other the table's general entry."""
    key = "project_capital_min_share_by_sector"
    dated = [
        (params.get("project_capital_2009_rule_since"), f"{key}_2009"),
        (params.get("project_capital_2015_rule_since"), f"{key}_2015"),
        (params.get("project_capital_2019_rule_published"), key),
    ]
    table: dict[str, float] = {}
    used, start = "project_capital_min_share", date.min
    for since, name in dated:
        if since and params.get(name) and on >= date.fromisoformat(str(since)):
            table, used, start = _shares(params[name]), name, date.fromisoformat(str(since))
    general = float(params["project_capital_min_share"])
    if not table:
        return general, "project_capital_min_share", start
    words = SECTOR_KEYS.get(sector)
    if words:
        own = [v for k, v in table.items() if any(w in k for w in words)]
        if own:
            return max(own), used, start
    other = [v for k, v in table.items() if k.startswith("other")]
    return (max(other), used, start) if other else (general, "project_capital_min_share", start)


def project_capital_share(
    snapshot: Snapshot, profile: ProjectProfile, on: date
) -> tuple[float, str] | None:
    """The minimum share of own capital a project must carry, from the catalogue (China:
    Guofa [2019] 26 and its predecessors, as the records of its lenders state them), with the
    record's id; None where no record states one for the country."""
    found = _capital_in(snapshot, profile.country, profile.sector, on)
    return (found[0], found[1]) if found else None


def borrowing_limit(
    snapshot: Snapshot, profile: ProjectProfile, on: date
) -> tuple[float, str] | None:
    """The largest share of the total investment (capex and development cost, the base of
    project capital under Guofa [1996] 35 Part II) loans and bonds may fund (one less the
    minimum project capital), with the clause it rests on; None where no record states a
    capital rule for the country (rules/ceilings.py applies it to an option's amount,
    advisor/mixes.py to a mix's borrowed money)."""
    found = _capital_in(snapshot, profile.country, profile.sector, on)
    if found is None:
        return None
    share, record_id, param = found
    cites = next(c for rid, _, _, c in _rules(snapshot) if rid == record_id)
    cite = cites.get(f"params.{param}") or cites["*"]
    return round(1.0 - share, 6), f"{cite} (project capital, as recorded with {record_id})"


def _capital_in(
    snapshot: Snapshot, country: str, sector: str, on: date
) -> tuple[float, str, str] | None:
    """(minimum capital share, record id, param read) for `country`: of the records stating the
    rule, the one whose table in force is the latest (a later State Council notice replaces the
    earlier table), the strictest among equals."""
    found = [
        (*_capital_for(params, sector, on), record_id)
        for record_id, countries, params, _ in _rules(snapshot)
        if country in countries
    ]
    if not found:
        return None
    share, param, _, record_id = max(found, key=lambda f: (f[2], f[0], f[3]))
    return share, record_id, param


Rules = tuple[tuple[str, frozenset[str], dict, dict[str, str]], ...]  # type: ignore[type-arg]
_INDEX: dict[int, tuple["weakref.ref[Snapshot]", Rules]] = {}


def _rules(snapshot: Snapshot) -> Rules:
    """(id, countries, params, citations) of the records stating a confirmed capital rule,
    once per snapshot (an advice asks twice: for its options' amounts and for its mixes)."""
    hit = _INDEX.get(id(snapshot))
    if hit is not None and hit[0]() is snapshot:
        return hit[1]
    rules = tuple(
        (r.id, frozenset(r.countries()), dict(r.params), citations(r))
        for r in snapshot.instruments
        if "project_capital_min_share" in r.params
        and "params.project_capital_min_share" not in r.unconfirmed
    )
    _INDEX[id(snapshot)] = (weakref.ref(snapshot), rules)
    weakref.finalize(snapshot, _INDEX.pop, id(snapshot), None)
    return rules
