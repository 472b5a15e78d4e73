"""The PDF report: the advice as HTML (tables, each mix as an SVG bar), rendered by WeasyPrint.

WeasyPrint needs the pango libraries; Chinese text needs a CJK font such as Debian's
fonts-noto-cjk, which WeasyPrint embeds, subset, in the file (README, "Reports").
"""

import html
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from advisor.reports.labels import (
    PROFILE_FIELDS,
    Lang,
    Names,
    label,
    money,
    name_pair,
    names_of,
    value_text,
)

CHART_COLOURS = ("#1f6f8b", "#99a8b2", "#e6a157", "#4f9d69", "#8c5e9c", "#c9503c", "#5b7c99")

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
        text = label("gap", lang) if iid == "__gap__" else name_pair(iid, names, lang)[0]
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
        first, other = name_pair(iid, names, lang)
        extra = f'<br><span class="other">{e(other)}</span>' if other and other != first else ""
        return f"{e(first)}{extra}"

    def reasons(entry: Mapping[str, Any], n: int = 3) -> str:
        return "<br>".join(
            f'{e(r["text"])} <span class="src">[{e(r["source"])}]</span>'
            for r in entry.get("reasons", [])[:n]
        )

    parts = [f"<h1>{label('title', lang)}</h1>"]
    if profile:
        rows = [[e(k), e(value_text(profile[k]))] for k in PROFILE_FIELDS if profile.get(k)]
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
