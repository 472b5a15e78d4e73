"""The XLSX reports, written with openpyxl: an advice as one sheet per section, and a portfolio
job's results as a summary sheet and a sheet per option and per mix component; every sheet
filterable, its header frozen."""

import io
from collections.abc import Iterable, Mapping
from typing import Any

from advisor.reports.labels import PROFILE_FIELDS, Lang, Names, label, names_of, value_text

XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    summary = [[k, value_text(profile[k])] for k in PROFILE_FIELDS if profile and profile.get(k)]
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
