"""Group catalogue rows by attribute value: the `Group` facts the generic rules match.

Each spec names an attribute the rules test, how to read its value from a row's fact, and the
catalogue fields it comes from (for the citation, and for `soft`: rows whose value no source
confirmed, which a failed test only cautions). Rows without the attribute (None) form no group.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rules._experta import freeze
from rules.facts import Group
from rules.records import cite_values

CLOSED = {"closed", "superseded"}


@dataclass(frozen=True)
class Spec:
    attribute: str
    value: Callable[[Any], Any]
    fields: tuple[str, ...]
    when: Callable[[Any], bool] = lambda row: True
    extra: Callable[[Any], Any] | None = None
    soft: Callable[[Any], bool] | None = None  # default: any of `fields` unconfirmed


def _closing_is_soft(row: Any) -> bool:
    """An unconfirmed end date is soft unless the catalogue confirms the closure itself."""
    unconfirmed = row["unconfirmed"]
    confirmed_closed = row["status"] in CLOSED and "status" not in unconfirmed
    return "valid_to" in unconfirmed and not confirmed_closed


def _has_regional_rates(row: Any) -> bool:
    return row["jurisdiction"] == "EU" and any(
        r.get("region_category") for r in row["co_financing"]
    )


def _regional_rates(row: Any) -> tuple[Any, tuple[str, ...]]:
    """The countries, and the programme periods whose region categories the rates name."""
    periods = {r.get("period") or "" for r in row["co_financing"] if r.get("region_category")}
    return row["countries"], tuple(sorted(periods))


def _entry_cites(row: Any, field: str) -> dict[str, str]:
    """Per entry of a model's `field` (asset_fit, incentives), the citation of the source whose
    `supports` names `field=<entry id>`."""
    return cite_values(row["cite"], field, [entry["id"] for entry in row[field]])


INSTRUMENT_SPECS = (
    Spec("countries", lambda r: r["countries"], ("eligible_countries",)),
    Spec("reach", lambda r: r["reach"], ("eligible_countries", "reach"),
         when=lambda r: bool(r["reach"][0] or r["reach"][1])),
    Spec("applicants", lambda r: r["applicants"], ("applicant_types",)),
    Spec("sectors", lambda r: r["sectors"], ("sectors",),
         extra=lambda r: cite_values(r["cite"], "sectors", r["sectors"])),
    Spec("stages", lambda r: r["stages"], ("stages",)),
    Spec("min_cost", lambda r: r["min_cost"], ("min_project_cost",)),
    Spec("max_cost", lambda r: r["max_cost"], ("max_project_cost",)),
    Spec("ticket", lambda r: (r["min_ticket"], r["terms"]), ("min_ticket",),
         when=lambda r: r["min_ticket"] is not None),
    Spec("revenue", lambda r: r["revenue_required"], ("revenue_required",),
         when=lambda r: r["revenue_required"]),
    Spec("revenue_any", lambda r: r["revenue_any"], ("revenue_streams_any",),
         extra=lambda r: cite_values(r["cite"], "revenue_streams_any", r["revenue_any"])),
    Spec("min_population", lambda r: r["min_population"], ("min_population",)),
    Spec("min_partners", lambda r: r["min_partners"], ("min_partner_countries",)),
    Spec("closing", lambda r: r["valid_to"], ("valid_to",), extra=lambda r: r["successor"],
         soft=_closing_is_soft),
    Spec("opening", lambda r: r["valid_from"], ("valid_from",)),
    Spec("prohibition", lambda r: r["prohibited"], ("status", "prohibited_from"),
         when=lambda r: r["prohibited"][0] or r["prohibited"][1] is not None,
         soft=lambda r: ("prohibited_from" if r["prohibited"][1] is not None else "status")
         in r["unconfirmed"]),
    Spec("ban", lambda r: (r["params"].get("prohibited_countries"),
                           r["params"].get("prohibited_since"),
                           r["params"].get("prohibited_applicants")),
         ("params.prohibited_countries", "params.prohibited_applicants")),
    Spec("coverage", lambda r: r["terms"], ("co_financing",),
         extra=lambda r: r["cost_of_money"]),
    Spec("cost_of_money", lambda r: r["cost_of_money"], ("cost_of_money",)),
    Spec("kind_money", lambda r: (r["kind"], r["cost_of_money"]), ("cost_of_money",)),
    Spec("min_maturity", lambda r: r["min_maturity"], ("min_maturity",)),
    Spec("complexity", lambda r: r["complexity"], ("complexity",)),
    Spec("risk_transfer", lambda r: r["risk_transfer"], ("risk_transfer",)),
    Spec("kind", lambda r: r["kind"], ("kind",)),
    Spec("private_partner", lambda r: True, ("kind", "params.private_partner_in_public_project"),
         when=lambda r: r["kind"] == "ppp_structure"
         or r["params"].get("private_partner_in_public_project") is True),
    Spec("debt_in_china", lambda r: True, ("kind",),
         when=lambda r: r["kind"] in ("loan", "bond")
         and (not r["countries"] or "CN" in r["countries"])),
    Spec("costs", lambda r: r["costs"], ("costs_covered",)),
    Spec("eu_funds", lambda r: (r["eu_funds"], r["kind"]), ("eu_funds",)),
    Spec("reluctance", lambda r: r["params"].get("private_ownership_reluctance_countries"),
         ("params.private_ownership_reluctance_countries",)),
    Spec("previous_rates", lambda r: tuple(sorted({
        x.get("region_category") for x in r["co_financing"] if x.get("previous_region_category")
    })), ("co_financing",)),
    Spec("regional_rates", _regional_rates, ("co_financing",), when=_has_regional_rates),
)  # fmt: skip

MODEL_SPECS = (
    Spec("banned", lambda m: (m["banned_in"], m["banned_since"]), ("banned_in",)),
    Spec("cn_after_reform", lambda m: m["cn_after_reform"], ("allowed_in_cn_after_2023",)),
    Spec("revenue", lambda m: m["revenue"], ("revenue_streams",)),
    Spec("sectors", lambda m: m["sectors"], ("sectors",)),
    Spec("stages", lambda m: m["stages"], ("stages",)),
    Spec("jurisdictions", lambda m: m["jurisdictions"], ("jurisdictions",)),
    Spec("precedents", lambda m: m["precedents"], ("recorded_cases",)),
    Spec("ownership", lambda m: m["ownership"], ("ownership",)),
    Spec("ownership_revenue", lambda m: (m["ownership"], m["revenue"]), ("ownership",)),
    Spec("min_maturity", lambda m: m["min_maturity"], ("min_maturity",)),
    Spec("risk_appetite", lambda m: m["risk_appetite"], ("risk_appetite",)),
    Spec("payer", lambda m: m["payer"], ("payer",)),
    Spec(
        "asset_fit",
        lambda m: m["asset_fit"],
        ("asset_fit",),
        extra=lambda m: _entry_cites(m, "asset_fit"),
    ),
    Spec(
        "incentives",
        lambda m: m["incentives"],
        ("incentives",),
        extra=lambda m: _entry_cites(m, "incentives"),
    ),
)


def groups(rows: Iterable[Any], specs: tuple[Spec, ...], of: str) -> list[Group]:
    """One Group fact per (attribute, distinct value) over `rows` (facts with id, cite,
    unconfirmed and the spec's attributes)."""
    rows = list(rows)
    out: list[Group] = []
    for spec in specs:
        buckets: dict[Any, list[Any]] = {}
        for row in rows:
            if not spec.when(row):
                continue
            value = spec.value(row)
            if value is None:
                continue
            buckets.setdefault(value, []).append(row)
        for value, members in buckets.items():
            cites = {}
            soft = []
            extra = {}
            for row in members:
                cite = row["cite"]
                cites[row["id"]] = next((cite[f] for f in spec.fields if f in cite), cite["*"])
                unconfirmed = row["unconfirmed"]
                is_soft = (
                    spec.soft(row) if spec.soft else any(f in unconfirmed for f in spec.fields)
                )
                if is_soft:
                    soft.append(row["id"])
                if spec.extra:
                    extra[row["id"]] = spec.extra(row)
            fields = {
                "of": of,
                "attribute": spec.attribute,
                "value": value,
                "members": tuple(row["id"] for row in members),
                "cites": freeze(cites),
                "soft": tuple(soft),
            }
            if spec.extra:
                fields["extra"] = freeze(extra)
            out.append(Group(**fields))
    return out
