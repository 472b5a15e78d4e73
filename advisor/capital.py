"""Project capital: the share of an investment its sponsor must carry as its own money.

China requires a minimum project-capital ratio for fixed-asset investment (Guofa [2009] 27,
[2015] 51, [2019] 26): loans and bonds together fund at most the rest. The ratios, by sector
and by the date each rule took effect, are catalogue params of the lenders' records, with
their clauses; the mix composer caps borrowed money by the share in force on the advice date.
"""

from datetime import date

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


def _capital_for(params: dict, sector: str, on: date) -> float:  # type: ignore[type-arg]
    """The minimum project-capital share in force on `on` for `sector`, from one record's
    dated tables (Guofa [2009] 27, [2015] 51, [2019] 26): a transport project takes the highest
    rail or road entry (the profile does not say which), any other the table's general entry."""
    key = "project_capital_min_share_by_sector"
    dated = [
        (params.get("project_capital_2009_rule_since"), params.get(f"{key}_2009")),
        (params.get("project_capital_2015_rule_since"), params.get(f"{key}_2015")),
        (params.get("project_capital_2019_rule_published"), params.get(key)),
    ]
    table: dict[str, float] = {}
    for since, shares in dated:
        if since and shares and on >= date.fromisoformat(str(since)):
            table = _shares(shares)
    general = float(params["project_capital_min_share"])
    if not table:
        return general
    words = SECTOR_KEYS.get(sector)
    if words:
        own = [v for k, v in table.items() if any(w in k for w in words)]
        if own:
            return max(own)
    other = [v for k, v in table.items() if k.startswith("other")]
    return max(other) if other else general


def project_capital_share(
    snapshot: Snapshot, profile: ProjectProfile, on: date
) -> tuple[float, str] | None:
    """The minimum share of own capital a project must carry, from the catalogue (China:
    Guofa [2019] 26 and its predecessors, as the records of its lenders state them), with the
    record's id; None where no record states one for the country."""
    found = [
        (_capital_for(dict(r.params), profile.sector, on), r.id)
        for r in snapshot.instruments
        if "project_capital_min_share" in r.params
        and profile.country in r.countries()
        and "params.project_capital_min_share" not in r.unconfirmed
    ]
    return max(found) if found else None
