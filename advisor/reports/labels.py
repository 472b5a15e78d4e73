"""What reports say in both languages: labels, money, profile fields and instrument names."""

from collections.abc import Mapping
from typing import Any, Literal

Lang = Literal["en", "zh"]
Names = Mapping[str, tuple[str, str]]  # instrument id -> (English name, Chinese name)

LABELS: dict[str, dict[str, str]] = {
    "title": {"en": "Funding advice", "zh": "融资建议"},
    "project": {"en": "Project", "zh": "项目"},
    "options": {"en": "Ranked options", "zh": "推荐融资工具（按排名）"},
    "to_check": {"en": "To check before relying on it", "zh": "需核实后方可采用"},
    "why_not": {"en": "Why not", "zh": "不适用的工具及原因"},
    "mixes": {"en": "Funding mixes", "zh": "融资组合"},
    "business_models": {"en": "Business models", "zh": "商业模式"},
    "warnings": {"en": "Warnings", "zh": "提示"},
    "rank": {"en": "Rank", "zh": "排名"},
    "instrument": {"en": "Instrument", "zh": "融资工具"},
    "kind": {"en": "Kind", "zh": "类型"},
    "score": {"en": "Score", "zh": "得分"},
    "max_amount": {"en": "Up to", "zh": "最高金额"},
    "reasons": {"en": "Reasons and sources", "zh": "理由与来源"},
    "verify": {"en": "What to verify", "zh": "需核实事项"},
    "reason": {"en": "Decisive reason", "zh": "决定性原因"},
    "near_miss": {"en": "Would qualify if", "zh": "满足以下条件即可适用"},
    "amount": {"en": "Amount", "zh": "金额"},
    "share": {"en": "Share", "zh": "占比"},
    "covers": {"en": "Covers", "zh": "覆盖费用"},
    "funded": {"en": "Funded", "zh": "已落实资金"},
    "gap": {"en": "Gap", "zh": "资金缺口"},
    "model": {"en": "Business model", "zh": "商业模式"},
    "field": {"en": "Field", "zh": "字段"},
    "value": {"en": "Value", "zh": "值"},
    "revision": {"en": "Catalogue revision", "zh": "目录版本"},
    "ruleset": {"en": "Ruleset version", "zh": "规则集版本"},
    "as_of": {"en": "Advice date (as of)", "zh": "建议基准日期"},
    "advice_id": {"en": "Advice id", "zh": "建议编号"},
    "generated": {"en": "Report generated", "zh": "报告生成时间"},
    "none": {"en": "none", "zh": "无"},
    "reasons_note": {
        "en": "",
        "zh": "注：理由与来源按引擎原文（英文）列出。",
    },
    "row": {"en": "Row", "zh": "行"},
    "id": {"en": "Id", "zh": "编号"},
    "ok": {"en": "Advised", "zh": "已生成建议"},
    "error": {"en": "Error", "zh": "错误"},
    "top_option": {"en": "Top option", "zh": "首选工具"},
    "mix": {"en": "Mix", "zh": "组合"},
    "currency": {"en": "Currency", "zh": "币种"},
    "summary": {"en": "Summary", "zh": "汇总"},
}
PROFILE_FIELDS = (
    "name", "country", "city", "population", "region_category", "sector", "sectors", "stage",
    "capex", "development_cost", "revenue_streams", "annual_revenue", "annual_savings",
    "applicant", "as_of",
)  # fmt: skip


def label(key: str, lang: Lang) -> str:
    return LABELS[key][lang]


def money(value: Mapping[str, Any] | None) -> str:
    return "—" if not value else f"{value['currency']} {value['amount']:,.2f}"


def value_text(value: Any) -> str:
    if isinstance(value, dict) and "amount" in value:
        return money(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def names_of(advice: Mapping[str, Any], names: Names) -> dict[str, tuple[str, str]]:
    """Both names of every instrument the advice mentions (the catalogue's, else the advice's)."""
    out = dict(names)
    for section in ("options", "to_check", "also_eligible"):
        for entry in advice.get(section, []):
            out.setdefault(entry["instrument_id"], (entry["name"], entry.get("name_zh", "")))
    for entry in advice.get("excluded", []):
        out.setdefault(entry["instrument_id"], (entry["name"], ""))
    return out


def name_pair(iid: str, names: Mapping[str, tuple[str, str]], lang: Lang) -> tuple[str, str]:
    """(name in the report's language, name in the other), falling back to the id."""
    en, zh = names.get(iid, (iid, ""))
    return (zh or en, en) if lang == "zh" else (en, zh)
