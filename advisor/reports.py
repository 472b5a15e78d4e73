"""Reports of an advice, to take to a council meeting or a colleague: PDF and XLSX, English or
Chinese, and a portfolio job's results as one workbook.

The PDF is HTML rendered by WeasyPrint (needs the pango libraries; Chinese text needs a CJK font
such as Debian's fonts-noto-cjk, which WeasyPrint embeds, subset, in the file). The workbooks are
written with openpyxl. Labels are translated; the engine's reasons and sources are given as the
engine wrote them (English), beside instrument names in both languages.
"""

import html
import io
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
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
CHART_COLOURS = ("#1f6f8b", "#99a8b2", "#e6a157", "#4f9d69", "#8c5e9c", "#c9503c", "#5b7c99")
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def label(key: str, lang: Lang) -> str:
    return LABELS[key][lang]


def money(value: Mapping[str, Any] | None) -> str:
    return "—" if not value else f"{value['currency']} {value['amount']:,.2f}"


def _value(value: Any) -> str:
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


def _name(iid: str, names: Mapping[str, tuple[str, str]], lang: Lang) -> tuple[str, str]:
    """(name in the report's language, name in the other), falling back to the id."""
    en, zh = names.get(iid, (iid, ""))
    return (zh or en, en) if lang == "zh" else (en, zh)


# --- PDF -----------------------------------------------------------------------------------

CSS = """
@page { size: A4; margin: 16mm 14mm; @bottom-right { content: counter(page) " / " counter(pages);
  font-size: 8pt; color: #666; } }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Noto Sans", "DejaVu Sans", sans-serif;
  font-size: 9pt; color: #222; }
h1 { font-size: 16pt; margin: 0 0 4mm; } h2 { font-size: 12pt; margin: 6mm 0 2mm;
  border-bottom: 1px solid #1f6f8b; color: #1f6f8b; }
table { border-collapse: collapse; width: 100%; margin-bottom: 3mm; }
th, td { border: 0.5pt solid #bbb; padding: 1.2mm 1.5mm; vertical-align: top; text-align: left; }
th { background: #eef3f6; } td.num { text-align: right; white-space: nowrap; }
.other { color: #666; font-size: 8pt; } .src { color: #555; font-size: 7.5pt; }
.meta td { border: none; padding: 0.5mm 1.5mm; } svg { margin: 1mm 0 2mm; }
"""


def mix_svg(mix: Mapping[str, Any], names: Mapping[str, tuple[str, str]], lang: Lang) -> str:
    """A stacked bar: each component's share of the cost, then the gap, with a legend."""
    parts = [(c["instrument_id"], c["amount"]["amount"]) for c in mix["components"]]
    gap = mix["gap"]["amount"]
    total = sum(a for _, a in parts) + gap or 1.0
    width, x, out = 480.0, 0.0, []
    legend = []
    for i, (iid, amount) in enumerate([*parts, ("__gap__", gap)]):
        if amount <= 0:
            continue
        colour = "#ffffff" if iid == "__gap__" else CHART_COLOURS[i % len(CHART_COLOURS)]
        w = width * amount / total
        out.append(
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="16" fill="{colour}" '
            f'stroke="#444" stroke-width="0.5"/>'
        )
        x += w
        text = label("gap", lang) if iid == "__gap__" else _name(iid, names, lang)[0]
        legend.append((colour, f"{text}: {amount / total:.0%}"))
    for j, (colour, text) in enumerate(legend):
        y = 26 + 12 * j
        out.append(
            f'<rect x="0" y="{y - 8}" width="8" height="8" fill="{colour}" stroke="#444" '
            f'stroke-width="0.5"/><text x="12" y="{y}" font-size="8">{html.escape(text)}</text>'
        )
    height = 26 + 12 * len(legend)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height}" '
        f'viewBox="0 0 {width:.0f} {height}">{"".join(out)}</svg>'
    )


def _table(head: list[str], rows: Iterable[list[str]], num: set[int] = frozenset()) -> str:  # type: ignore[assignment]
    body = "".join(
        "<tr>"
        + "".join(f"<td{' class=num' if i in num else ''}>{c}</td>" for i, c in enumerate(row))
        + "</tr>"  # fmt: skip
        for row in rows
    )
    return f"<table><tr>{''.join(f'<th>{h}</th>' for h in head)}</tr>{body}</table>"


def report_html(
    advice: Mapping[str, Any], profile: Mapping[str, Any] | None, names: Names, lang: Lang
) -> str:
    e = html.escape
    names = names_of(advice, names)

    def both(iid: str) -> str:
        first, other = _name(iid, names, lang)
        extra = f'<br><span class="other">{e(other)}</span>' if other and other != first else ""
        return f"{e(first)}{extra}"

    def reasons(entry: Mapping[str, Any], n: int = 3) -> str:
        return "<br>".join(
            f'{e(r["text"])} <span class="src">[{e(r["source"])}]</span>'
            for r in entry.get("reasons", [])[:n]
        )

    parts = [f"<h1>{label('title', lang)}</h1>"]
    if profile:
        rows = [[e(k), e(_value(profile[k]))] for k in PROFILE_FIELDS if profile.get(k)]
        parts += [f"<h2>{label('project', lang)}</h2>",
                  _table([label("field", lang), label("value", lang)], rows)]  # fmt: skip
    parts.append(f"<h2>{label('options', lang)}</h2>")
    rows = [
        [
            str(o["rank"]),
            both(o["instrument_id"]),
            e(o["kind"]),
            f"{o['score']:g}",
            e(money(o.get("max_amount"))),
            reasons(o),
        ]  # fmt: skip
        for o in advice.get("options", [])
    ]
    head = ["rank", "instrument", "kind", "score", "max_amount", "reasons"]
    parts.append(_table([label(h, lang) for h in head], rows, {0, 3, 4}) if rows else
                 f"<p>{label('none', lang)}</p>")  # fmt: skip
    if note := label("reasons_note", lang):
        parts.append(f'<p class="other">{note}</p>')
    if advice.get("to_check"):
        parts.append(f"<h2>{label('to_check', lang)}</h2>")
        rows = [[both(t["instrument_id"]), e(money(t.get("max_amount"))),
                 "<br>".join(e(v) for v in t["verify"])] for t in advice["to_check"]]  # fmt: skip
        parts.append(_table([label(h, lang) for h in ("instrument", "max_amount", "verify")],
                            rows, {1}))  # fmt: skip
    for mix in advice.get("mixes", []):
        parts.append(f"<h2>{label('mixes', lang)}: {e(mix['label'])}</h2>")
        parts.append(mix_svg(mix, names, lang))
        rows = [[both(c["instrument_id"]), e(money(c["amount"])), f"{c['share']:.1%}",
                 e(c["covers"])] for c in mix["components"]]  # fmt: skip
        rows.append([f"<b>{label('funded', lang)}</b>", e(money(mix["funded"])), "", ""])
        rows.append([f"<b>{label('gap', lang)}</b>", e(money(mix["gap"])), "", ""])
        parts.append(_table([label(h, lang) for h in ("instrument", "amount", "share", "covers")],
                            rows, {1, 2}))  # fmt: skip
        if mix.get("notes"):
            parts.append("".join(f'<p class="other">{e(n)}</p>' for n in mix["notes"]))
    if advice.get("business_models"):
        parts.append(f"<h2>{label('business_models', lang)}</h2>")
        rows = [[e(m["name"]), f"{m['score']:g}", reasons(m, 2)] for m in
                advice["business_models"]]  # fmt: skip
        parts.append(_table([label(h, lang) for h in ("model", "score", "reasons")], rows, {1}))
    if advice.get("warnings"):
        parts.append(f"<h2>{label('warnings', lang)}</h2><ul>")
        parts += [f"<li>{e(w)}</li>" for w in advice["warnings"]] + ["</ul>"]
    parts.append(f"<h2>{label('why_not', lang)}</h2>")
    rows = [
        [
            both(x["instrument_id"]),
            e(x["reasons"][0]["text"])
            + f' <span class="src">[{e(x["reasons"][0]["source"])}]</span>'
            if x["reasons"]
            else "",
            e(x.get("would_qualify_if") or ""),
        ]  # fmt: skip
        for x in advice.get("excluded", [])
    ]
    parts.append(_table([label(h, lang) for h in ("instrument", "reason", "near_miss")], rows))
    meta = [
        ("revision", advice["catalogue_revision"]), ("ruleset", advice["ruleset_version"]),
        ("as_of", advice["as_of"]), ("advice_id", advice.get("advice_id") or "—"),
        ("generated", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
    ]  # fmt: skip
    parts.append(
        '<table class="meta">'
        + "".join(f"<tr><td>{label(k, lang)}</td><td>{e(str(v))}</td></tr>" for k, v in meta)
        + "</table>"
    )
    return (
        f'<!doctype html><html lang="{"zh-Hans" if lang == "zh" else "en"}"><head>'
        f'<meta charset="utf-8"><style>{CSS}</style></head><body>{"".join(parts)}</body></html>'
    )


def pdf(
    advice: Mapping[str, Any], profile: Mapping[str, Any] | None, names: Names, lang: Lang
) -> bytes:
    from weasyprint import HTML

    return HTML(string=report_html(advice, profile, names, lang)).write_pdf()  # type: ignore[no-any-return]


# --- XLSX ----------------------------------------------------------------------------------


def _sheet(book: Any, title: str, head: list[str], rows: Iterable[list[Any]]) -> None:
    from openpyxl.styles import Font

    sheet = book.create_sheet(title[:31])
    sheet.append(head)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.auto_filter.ref = sheet.dimensions
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        longest = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(10, longest + 2), 60)


def _amount(value: Mapping[str, Any] | None) -> float | None:
    return None if not value else value["amount"]


def _book_bytes(book: Any) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx(
    advice: Mapping[str, Any], profile: Mapping[str, Any] | None, names: Names, lang: Lang
) -> bytes:
    from openpyxl import Workbook

    names = names_of(advice, names)
    L = lambda *keys: [label(k, lang) for k in keys]  # noqa: E731
    book = Workbook()
    book.remove(book.active)
    summary = [[k, _value(profile[k])] for k in PROFILE_FIELDS if profile and profile.get(k)]
    summary += [
        [label("revision", lang), advice["catalogue_revision"]],
        [label("ruleset", lang), advice["ruleset_version"]],
        [label("as_of", lang), advice["as_of"]],
        [label("advice_id", lang), advice.get("advice_id") or ""],
        [label("currency", lang), advice.get("currency", "EUR")],
    ]
    _sheet(book, label("project", lang), L("field", "value"), summary)
    _sheet(
        book, label("options", lang),
        [*L("rank"), "instrument_id", "name_en", "name_zh", *L("kind", "score", "max_amount",
         "currency"), "phase", *L("reasons")],
        ([o["rank"], o["instrument_id"], *names[o["instrument_id"]], o["kind"], o["score"],
          _amount(o.get("max_amount")), (o.get("max_amount") or {}).get("currency"),
          o.get("phase"), "\n".join(f"{r['text']} [{r['source']}]" for r in o["reasons"])]
         for o in advice.get("options", [])),
    )  # fmt: skip
    _sheet(
        book, label("to_check", lang),
        ["instrument_id", "name_en", "name_zh", *L("max_amount", "verify")],
        ([t["instrument_id"], *names[t["instrument_id"]], _amount(t.get("max_amount")),
          "\n".join(t["verify"])] for t in advice.get("to_check", [])),
    )  # fmt: skip
    _sheet(
        book, label("mixes", lang),
        [*L("mix"), "instrument_id", "name_en", "name_zh", *L("amount", "share", "covers",
         "funded", "gap")],
        ([m["label"], c["instrument_id"], *names[c["instrument_id"]], c["amount"]["amount"],
          c["share"], c["covers"], m["funded"]["amount"], m["gap"]["amount"]]
         for m in advice.get("mixes", []) for c in m["components"]),
    )  # fmt: skip
    _sheet(
        book, label("business_models", lang), ["id", *L("model", "score", "reasons")],
        ([m["id"], m["name"], m["score"], "\n".join(r["text"] for r in m["reasons"])]
         for m in advice.get("business_models", [])),
    )  # fmt: skip
    _sheet(
        book, label("why_not", lang),
        ["instrument_id", "name_en", "name_zh", *L("reason"), "rule", "source", *L("near_miss")],
        ([x["instrument_id"], *names[x["instrument_id"]],
          x["reasons"][0]["text"] if x["reasons"] else "",
          x["reasons"][0]["rule"] if x["reasons"] else "",
          x["reasons"][0]["source"] if x["reasons"] else "", x.get("would_qualify_if") or ""]
         for x in advice.get("excluded", [])),
    )  # fmt: skip
    _sheet(book, label("warnings", lang), L("warnings"), ([w] for w in advice.get("warnings", [])))
    return _book_bytes(book)


def job_xlsx(records: Iterable[Mapping[str, Any]], lang: Lang = "en") -> bytes:
    """A portfolio job's results: a summary sheet (one row per project), then one row per
    option and one per mix component, each sheet filterable as a consultant would."""
    from openpyxl import Workbook

    L = lambda *keys: [label(k, lang) for k in keys]  # noqa: E731
    summary, options, mixes = [], [], []
    for rec in records:
        advice = rec.get("advice") or {}
        top = (advice.get("options") or [{}])[0]
        best = (advice.get("mixes") or [{}])[0]
        error = "; ".join(e.get("message", "") for e in rec.get("errors", []))
        summary.append([
            rec["row"], rec.get("id") or "", rec["ok"], error, len(advice.get("options", [])),
            top.get("instrument_id"), _amount(top.get("max_amount")), best.get("label"),
            _amount(best.get("funded")), _amount(best.get("gap")), advice.get("currency"),
            advice.get("as_of"), advice.get("catalogue_revision"),
        ])  # fmt: skip
        for o in advice.get("options", []):
            options.append([
                rec["row"], rec.get("id") or "", o["rank"], o["instrument_id"], o["name"],
                o.get("name_zh", ""), o["kind"], o["score"], _amount(o.get("max_amount")),
                (o.get("max_amount") or {}).get("currency"), o.get("phase"),
            ])  # fmt: skip
        for m in advice.get("mixes", []):
            for c in m["components"]:
                mixes.append([
                    rec["row"], rec.get("id") or "", m["label"], c["instrument_id"],
                    c["amount"]["amount"], c["share"], m["funded"]["amount"], m["gap"]["amount"],
                ])  # fmt: skip
    book = Workbook()
    book.remove(book.active)
    _sheet(book, label("summary", lang),
           [*L("row", "id", "ok", "error"), "options", *L("top_option", "max_amount", "mix",
            "funded", "gap", "currency", "as_of", "revision")], summary)  # fmt: skip
    _sheet(book, label("options", lang),
           [*L("row", "id", "rank"), "instrument_id", "name_en", "name_zh",
            *L("kind", "score", "max_amount", "currency"), "phase"], options)  # fmt: skip
    _sheet(book, label("mixes", lang),
           [*L("row", "id", "mix"), "instrument_id", *L("amount", "share", "funded", "gap")],
           mixes)  # fmt: skip
    return _book_bytes(book)


# --- services ------------------------------------------------------------------------------


def snapshot_names(snapshot: Any) -> dict[str, tuple[str, str]]:
    return {r.id: (r.name_en, r.name_zh) for r in snapshot.instruments}


def render(
    fmt: Literal["pdf", "xlsx"],
    advice: Mapping[str, Any],
    profile: Mapping[str, Any] | None,
    names: Names,
    lang: Lang,
) -> bytes:
    return (pdf if fmt == "pdf" else xlsx)(advice, profile, names, lang)


def advice_report(
    *,
    db: Any,
    advice_id: str,
    snapshot: Any,
    fmt: Literal["pdf", "xlsx"],
    lang: Lang = "en",
    owner: str | None = None,
    keeper: Any = None,
) -> bytes:
    """The report of a stored decision (the answer as given, with its profile)."""
    import json

    from advisor.decisions import get_profile, get_record, unpack

    row = get_record(db=db, advice_id=advice_id, owner=owner, keeper=keeper)
    advice = json.loads(unpack(row.body))
    return render(fmt, advice, get_profile(row), snapshot_names(snapshot), lang)
