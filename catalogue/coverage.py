"""Coverage: per country, which national instrument families the catalogue covers, and which not.

Files under catalogue/data/coverage/*.yaml list entries like

    - country: US
      as_of: 2026-11-30
      families:                  # families that exist for cities there AND are in the catalogue
        loans: [us_wifia, us_cwsrf]
      missing:                   # families that exist there but are not (yet) catalogued: why
        guarantees: "USDA Rural Development guarantees not catalogued"
      absent:                    # families that do not exist for cities there: why (sourced)
        bonds: "..."
      note: "..."
      sources: [{document, url, reference}]

Several files may state the same country (one per area of work): their entries MERGE. Families
are unioned (instrument ids in file order, each once); a family covered by any file is covered,
and a `missing` reason another file gives for it is dropped; two `missing` reasons for one family
are joined; a family both covered (or missing) and `absent` is a contradiction and fails.

A listed record must exist, carry `coverage_family` equal to the family it is listed under, and
reach the country (its eligible countries or a funded reach window). The strict check adds the
converse for national records: a record with a coverage family and a single eligible country is
listed in that country's coverage.

`python -m catalogue.coverage --markdown` prints the README's coverage table; `--readme` writes
it into README.md between its markers.
"""

import sys
from collections.abc import Iterable
from datetime import date
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from catalogue.schema import Identifier, InstrumentRecord, SourceRef, Strict
from catalogue.vocabulary import COUNTRY_GROUPS, ISO_COUNTRIES, CoverageFamily, codes

# The families the issue asks every covered country to have where they exist (issue 11,
# acceptance: "its national loans, bonds and grants where they exist"). One that a country's
# coverage neither lists, nor calls missing, nor calls absent is not reviewed: never complete.
CORE_FAMILIES: tuple[str, ...] = ("loans", "bonds", "grants")
FAMILY_ORDER: dict[str, int] = {name: i for i, name in enumerate(codes(CoverageFamily))}
NOT_REVIEWED = "not reviewed: the catalogue does not say whether {country} has national {family}"

CoverageStatus = Literal["covered", "partial", "not_covered"]


def _iso_country(value: str) -> str:
    if value not in ISO_COUNTRIES:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 code")
    return value


Reason = Annotated[str, Field(min_length=1)]


class CoverageEntry(Strict):
    """One country's coverage as one file states it."""

    country: str
    as_of: date
    families: dict[CoverageFamily, list[Identifier]] = Field(default_factory=dict)
    missing: dict[CoverageFamily, Reason] = Field(default_factory=dict)
    absent: dict[CoverageFamily, Reason] = Field(default_factory=dict)
    note: str | None = None
    sources: list[SourceRef] = Field(default_factory=list)

    @field_validator("country")
    @classmethod
    def _iso(cls, value: str) -> str:
        return _iso_country(value)

    @model_validator(mode="after")
    def _consistent(self) -> "CoverageEntry":
        for family, ids in self.families.items():
            if not ids:
                raise ValueError(f"family {family!r} lists no instrument")
            if len(ids) != len(set(ids)):
                raise ValueError(f"family {family!r} lists an instrument twice")
        for name, other in (("missing", self.missing), ("absent", self.absent)):
            both = sorted(set(self.families) & set(other))
            if both:
                raise ValueError(f"{both} both covered and {name}")
        both = sorted(set(self.missing) & set(self.absent))
        if both:
            raise ValueError(f"{both} both missing and absent")
        return self


def _ordered(families: Iterable[str]) -> list[str]:
    return sorted(families, key=lambda f: FAMILY_ORDER[f])


class CountryCoverage(Strict):
    """A country's coverage, merged from every file that states it."""

    country: str
    as_of: date = Field(description="the latest date any of its entries was reviewed")
    families: dict[str, list[str]] = Field(
        default_factory=dict, description="family -> catalogued instrument ids"
    )
    missing: dict[str, str] = Field(
        default_factory=dict, description="family that exists there but is not catalogued -> why"
    )
    absent: dict[str, str] = Field(
        default_factory=dict, description="family that does not exist for cities there -> why"
    )
    notes: list[str] = Field(default_factory=list)
    sources: list[SourceRef] = Field(default_factory=list)
    files: list[str] = Field(default_factory=list)

    def not_reviewed(self) -> list[str]:
        """Core families this coverage says nothing about."""
        stated = set(self.families) | set(self.missing) | set(self.absent)
        return [f for f in CORE_FAMILIES if f not in stated]

    def gaps(self) -> dict[str, str]:
        """Every family the catalogue lacks for the country: missing, then core ones unreviewed."""
        out = dict(self.missing)
        for family in self.not_reviewed():
            out[family] = NOT_REVIEWED.format(country=self.country, family=family)
        return {f: out[f] for f in _ordered(out)}

    def status(self) -> CoverageStatus:
        if not self.families:
            return "not_covered"
        return "partial" if self.gaps() else "covered"


def merge(entries: Iterable[tuple[str, CoverageEntry]]) -> tuple[CountryCoverage, ...]:
    """One CountryCoverage per country from (file name, entry) pairs, ordered by country."""
    by_country: dict[str, list[tuple[str, CoverageEntry]]] = {}
    for name, entry in entries:
        by_country.setdefault(entry.country, []).append((name, entry))
    out = []
    for country in sorted(by_country):
        parts = by_country[country]
        families: dict[str, list[str]] = {}
        missing: dict[str, list[str]] = {}
        absent: dict[str, list[str]] = {}
        for _, entry in parts:
            for family, ids in entry.families.items():
                listed = families.setdefault(family, [])
                listed.extend(i for i in ids if i not in listed)
            for family, why in entry.missing.items():
                missing.setdefault(family, []).append(why)
            for family, why in entry.absent.items():
                absent.setdefault(family, []).append(why)
        clash = sorted((set(families) | set(missing)) & set(absent))
        if clash:
            files = sorted({name for name, _ in parts})
            raise ValueError(
                f"coverage of {country}: {clash} stated absent and also covered or missing "
                f"(files {files})"
            )
        notes: list[str] = []
        sources: list[SourceRef] = []
        for _, entry in parts:
            if entry.note and entry.note not in notes:
                notes.append(entry.note)
            sources.extend(s for s in entry.sources if s not in sources)
        out.append(
            CountryCoverage(
                country=country,
                as_of=max(entry.as_of for _, entry in parts),
                families={f: families[f] for f in _ordered(families)},
                missing={
                    f: "; ".join(dict.fromkeys(missing[f]))
                    for f in _ordered(missing)
                    if f not in families
                },
                absent={f: "; ".join(dict.fromkeys(absent[f])) for f in _ordered(absent)},
                notes=notes,
                sources=sources,
                files=sorted({name for name, _ in parts}),
            )
        )
    return tuple(out)


def _reaches(record: InstrumentRecord, country: str) -> bool:
    if country in record.countries():
        return True
    for window in record.reach:
        if window.funded and any(
            country in COUNTRY_GROUPS.get(code, (code,)) for code in window.countries
        ):
            return True
    return False


def check(
    coverage: Iterable[CountryCoverage], instruments: Iterable[InstrumentRecord]
) -> list[str]:
    """Problems that make the coverage files invalid against the instruments (empty: none)."""
    by_id = {rec.id: rec for rec in instruments}
    out: list[str] = []
    for cov in coverage:
        for family, ids in cov.families.items():
            for iid in ids:
                rec = by_id.get(iid)
                if rec is None:
                    out.append(f"coverage of {cov.country}: {family}: unknown instrument {iid!r}")
                    continue
                if rec.coverage_family != family:
                    out.append(
                        f"coverage of {cov.country}: {family}: {iid} has coverage_family "
                        f"{rec.coverage_family!r}"
                    )
                if not _reaches(rec, cov.country):
                    out.append(
                        f"coverage of {cov.country}: {family}: {iid} does not reach "
                        f"{cov.country} (eligible_countries {rec.eligible_countries})"
                    )
    return out


def strict_problems(
    coverage: Iterable[CountryCoverage], instruments: Iterable[InstrumentRecord]
) -> list[str]:
    """National records with a coverage family that their country's coverage does not list."""
    listed = {
        (cov.country, family, iid)
        for cov in coverage
        for family, ids in cov.families.items()
        for iid in ids
    }
    out = []
    for rec in instruments:
        countries = rec.countries()
        if rec.coverage_family is None or len(countries) != 1:
            continue
        if (countries[0], rec.coverage_family, rec.id) not in listed:
            out.append(
                f"{rec.id}: coverage_family {rec.coverage_family} but not listed in the "
                f"coverage of {countries[0]}"
            )
    return out


def public(cov: CountryCoverage) -> dict[str, object]:
    """The form GET /v1/coverage and the README table show (no date applied)."""
    return {
        "country": cov.country,
        "status": cov.status(),
        "complete": cov.status() == "covered",
        "as_of": cov.as_of.isoformat(),
        "families": cov.families,
        "missing": cov.gaps(),
        "absent": cov.absent,
        "notes": cov.notes,
    }


def markdown(coverage: Iterable[CountryCoverage]) -> str:
    """The README's coverage table: one row per country."""
    lines = [
        "| country | status | covered families (instruments) | missing families |",
        "|---|---|---|---|",
    ]
    for cov in coverage:
        covered = "; ".join(f"{f}: {', '.join(ids)}" for f, ids in cov.families.items()) or "-"
        gaps = ", ".join(cov.gaps()) or "-"
        lines.append(f"| {cov.country} | {cov.status()} | {covered} | {gaps} |")
    return "\n".join(lines) + "\n"


README_START = "<!-- coverage table: python -m catalogue.coverage --readme -->"
README_END = "<!-- end of coverage table -->"


def readme_table(readme: str) -> str:
    """The coverage table as the README holds it (between its markers)."""
    start = readme.index(README_START) + len(README_START)
    return readme[start : readme.index(README_END, start)].strip("\n") + "\n"


def with_table(readme: str, table: str) -> str:
    """`readme` with its coverage table replaced by `table`."""
    start = readme.index(README_START) + len(README_START)
    end = readme.index(README_END, start)
    return readme[:start] + "\n" + table + readme[end:]


def main(argv: list[str] | None = None) -> int:
    from pathlib import Path

    from catalogue.datafiles import DataFileError, load

    args = sys.argv[1:] if argv is None else argv
    try:
        data = load()
    except DataFileError as exc:
        print(f"invalid: {exc}", file=sys.stderr)
        return 1
    if "--markdown" in args:
        sys.stdout.write(markdown(data.coverage))
        return 0
    if "--readme" in args:
        path = Path(__file__).resolve().parent.parent / "README.md"
        text = path.read_text(encoding="utf-8")
        path.write_text(with_table(text, markdown(data.coverage)), encoding="utf-8")
        print(f"wrote the coverage table of {len(data.coverage)} countries to {path}")
        return 0
    for cov in data.coverage:
        print(f"{cov.country}: {cov.status()}: {', '.join(cov.families) or 'no family'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
