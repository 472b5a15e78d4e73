"""Coverage files: schema, merge across files, checks against the instruments, README table."""

from datetime import date
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from catalogue import coverage, datafiles
from catalogue.coverage import CountryCoverage, CoverageEntry, check, merge, strict_problems
from catalogue.schema import InstrumentRecord
from catalogue.vocabulary import EU27

ROOT = Path(__file__).resolve().parents[2]
SOURCE = {"document": "test", "reference": "a test source", "supports": ["eligible_countries"]}


def _entry(**fields: object) -> CoverageEntry:
    return CoverageEntry.model_validate({"country": "US", "as_of": "2026-11-30", **fields})


def _record(rid: str, countries: list[str], family: str | None) -> InstrumentRecord:
    return InstrumentRecord.model_validate(
        {
            "id": rid, "name_en": rid, "name_zh": rid, "kind": "loan", "jurisdiction": "GLOBAL",
            "description": "test", "eligible_countries": countries,
            "costs_covered": ["investment"], "status": "active", "coverage_family": family,
            "sources": [SOURCE],
        }
    )  # fmt: skip


# --- the schema of one entry ---


@pytest.mark.parametrize("country", ["ZZ", "us", "USA", "@EU27"])
def test_an_entry_names_one_iso_country(country: str) -> None:
    with pytest.raises(ValidationError):
        _entry(country=country)


def test_an_entry_uses_the_family_vocabulary() -> None:
    with pytest.raises(ValidationError):
        _entry(families={"mortgages": ["us_wifia"]})
    with pytest.raises(ValidationError):
        _entry(missing={"subsidies": "not a family"})


def test_a_family_is_covered_missing_or_absent_never_two_of_them() -> None:
    with pytest.raises(ValidationError, match="both covered and missing"):
        _entry(families={"loans": ["us_wifia"]}, missing={"loans": "SRFs not catalogued"})
    with pytest.raises(ValidationError, match="both missing and absent"):
        _entry(missing={"bonds": "x"}, absent={"bonds": "y"})
    with pytest.raises(ValidationError, match="lists no instrument"):
        _entry(families={"loans": []})


def test_an_entry_refuses_unknown_keys() -> None:
    with pytest.raises(ValidationError):
        _entry(covered={"loans": ["us_wifia"]})


# --- merging entries of several files ---


def test_entries_for_one_country_from_several_files_merge() -> None:
    first = _entry(
        families={"loans": ["us_wifia"], "bonds": ["us_go_bond"]},
        missing={"guarantees": "USDA guarantees not catalogued", "grants": "not yet"},
        note="first",
    )
    second = _entry(
        as_of="2026-12-01",
        families={"loans": ["us_cwsrf", "us_wifia"], "grants": ["us_grant"]},
        note="second",
    )
    (merged,) = merge([("a.yaml", first), ("b.yaml", second)])
    assert merged.country == "US"
    assert merged.families == {
        "loans": ["us_wifia", "us_cwsrf"],
        "bonds": ["us_go_bond"],
        "grants": ["us_grant"],
    }
    # grants are covered by the second file: the first file's "missing" gives way
    assert merged.missing == {"guarantees": "USDA guarantees not catalogued"}
    assert merged.as_of == date(2026, 12, 1)
    assert merged.notes == ["first", "second"]
    assert merged.files == ["a.yaml", "b.yaml"]


def test_two_reasons_for_one_missing_family_are_both_kept() -> None:
    (merged,) = merge(
        [("a.yaml", _entry(missing={"loans": "A"})), ("b.yaml", _entry(missing={"loans": "B"}))]
    )
    assert merged.missing == {"loans": "A; B"}


def test_a_family_absent_in_one_file_and_covered_in_another_is_refused() -> None:
    with pytest.raises(ValueError, match="absent"):
        merge(
            [
                ("a.yaml", _entry(absent={"bonds": "no municipal bonds"})),
                ("b.yaml", _entry(families={"bonds": ["us_go_bond"]})),
            ]
        )


def test_countries_come_out_in_code_order() -> None:
    entries = [("a.yaml", _entry(country=c)) for c in ("US", "GB", "KE")]
    assert [c.country for c in merge(entries)] == ["GB", "KE", "US"]


# --- status ---


def _cov(**fields: object) -> CountryCoverage:
    return CountryCoverage.model_validate({"country": "KE", "as_of": "2026-11-30", **fields})


def test_no_family_covered_is_not_covered() -> None:
    assert _cov().status() == "not_covered"
    assert _cov(missing={"loans": "x"}).status() == "not_covered"


def test_core_families_nobody_reviewed_count_as_missing() -> None:
    cov = _cov(families={"loans": ["ke_x"]})
    assert cov.status() == "partial"
    assert set(cov.gaps()) == {"bonds", "grants"}
    assert "not reviewed" in cov.gaps()["bonds"]


def test_covered_when_every_core_family_is_covered_or_absent_and_nothing_missing() -> None:
    cov = _cov(families={"loans": ["a"], "grants": ["b"]}, absent={"bonds": "no city bonds"})
    assert cov.status() == "covered" and cov.gaps() == {}
    assert _cov(**{**cov.model_dump(), "missing": {"equity": "x"}}).status() == "partial"


# --- checks against the instruments ---


def test_a_listed_id_must_exist_carry_the_family_and_reach_the_country() -> None:
    records = [
        _record("us_wifia", ["US"], "loans"),
        _record("us_bond", ["US"], "bonds"),
        _record("gb_pwlb", ["GB"], "loans"),
    ]
    (cov,) = merge(
        [("a.yaml", _entry(families={"loans": ["us_wifia", "us_bond", "gb_pwlb", "nope"]}))]
    )
    problems = check([cov], records)
    assert len(problems) == 3
    assert any("us_bond has coverage_family 'bonds'" in p for p in problems)
    assert any("gb_pwlb does not reach US" in p for p in problems)
    assert any("unknown instrument 'nope'" in p for p in problems)


def test_a_group_or_funded_reach_window_reaches_the_country() -> None:
    eu = _record("eu_x", ["@EU27"], "loans")
    (cov,) = merge([("a.yaml", _entry(country="LT", families={"loans": ["eu_x"]}))])
    assert check([cov], [eu]) == []


def test_strict_a_national_record_with_a_family_is_listed_in_its_country() -> None:
    records = [_record("us_wifia", ["US"], "loans"), _record("us_free", ["US"], None)]
    assert strict_problems([], records) == [
        "us_wifia: coverage_family loans but not listed in the coverage of US"
    ]
    (cov,) = merge([("a.yaml", _entry(families={"loans": ["us_wifia"]}))])
    assert strict_problems([cov], records) == []


def test_the_loader_merges_files_and_fails_on_a_bad_reference(tmp_path: Path) -> None:
    records = [_record("us_wifia", ["US"], "loans"), _record("us_srf", ["US"], "loans")]
    (tmp_path / "a.yaml").write_text(
        yaml.safe_dump(
            [{"country": "US", "as_of": "2026-11-30", "families": {"loans": ["us_wifia"]}}]
        )
    )
    (tmp_path / "b.yaml").write_text(
        yaml.safe_dump(
            [{"country": "US", "as_of": "2026-11-30", "families": {"loans": ["us_srf"]}}]
        )
    )
    (merged,) = datafiles.load_coverage(tmp_path, records)
    assert merged.families == {"loans": ["us_wifia", "us_srf"]}
    (tmp_path / "c.yaml").write_text(
        yaml.safe_dump([{"country": "US", "as_of": "2026-11-30", "families": {"bonds": ["x"]}}])
    )
    with pytest.raises(datafiles.DataFileError, match="unknown instrument 'x'"):
        datafiles.load_coverage(tmp_path, records)


def test_check_file_validates_a_coverage_file(tmp_path: Path) -> None:
    folder = tmp_path / "coverage"
    folder.mkdir()
    path = folder / "x.yaml"
    path.write_text(yaml.safe_dump([{"country": "ZZ", "as_of": "2026-11-30"}]))
    with pytest.raises(datafiles.DataFileError, match="country"):
        datafiles.check_file(path)


# --- the catalogue's own coverage ---


def test_every_eu_member_state_and_china_are_stated(seed_data: datafiles.SeedData) -> None:
    stated = {c.country for c in seed_data.coverage}
    assert set(EU27) | {"CN"} <= stated


def test_china_has_its_loans_bonds_and_grants(seed_data: datafiles.SeedData) -> None:
    cn = next(c for c in seed_data.coverage if c.country == "CN")
    # ARCHITECTURE.md required China ids: policy-bank loans, special-purpose and green bonds,
    # the central pilot fund
    assert "cn_policy_bank_loan" in cn.families["loans"]
    assert {"cn_special_purpose_bond", "cn_green_bond"} <= set(cn.families["bonds"])
    assert "cn_central_pilot_fund" in cn.families["grants"]
    assert cn.status() == "covered"


def test_eu_level_programmes_are_not_counted_as_national(seed_data: datafiles.SeedData) -> None:
    by_id = {r.id: r for r in seed_data.instruments}
    for cov in seed_data.coverage:
        for ids in cov.families.values():
            for iid in ids:
                assert not by_id[iid].eu_funds, f"{cov.country}: {iid} is an EU programme"
                assert by_id[iid].countries() == [cov.country] or cov.country not in EU27


def test_the_catalogue_passes_the_strict_coverage_check(seed_data: datafiles.SeedData) -> None:
    assert strict_problems(seed_data.coverage, seed_data.instruments) == []


def test_state_owned_bank_funding_reaches_only_the_country_its_source_names(
    seed_data: datafiles.SeedData,
) -> None:
    record = next(r for r in seed_data.instruments if r.id == "state_owned_bank_funding")
    # seed §2.2.2 footnote 13 (L771): Masdar City, funded by the government of Abu Dhabi
    assert record.countries() == ["AE"]
    assert "eligible_countries" not in record.unconfirmed
    assert "reach" not in record.unconfirmed and record.reach == []


def test_the_readme_table_is_the_generated_one(seed_data: datafiles.SeedData) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert coverage.readme_table(readme) == coverage.markdown(seed_data.coverage)


def test_the_generator_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert coverage.main(["--markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| country | status |")
    assert "| CN | covered |" in out
