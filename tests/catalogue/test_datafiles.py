"""The catalogue data files: complete, sourced, and citing the seed truthfully."""

import re
from pathlib import Path

import pytest

from catalogue import datafiles
from catalogue.schema import InstrumentRecord

SHARED = Path(__file__).resolve().parents[3] / "shared"
SEEDS = SHARED / "seeds"

REQUIRED_INSTRUMENTS = [
    "horizon_2020",
    "horizon_europe",
    "erdf_2014_2020",
    "erdf_2021_2027",
    "cohesion_fund",
    "esf_plus",
    "iti",
    "urban_innovative_actions",
    "european_urban_initiative",
    "jessica",
    "elena",
    "eib_loan",
    "eib_framework_loan",
    "eeef",
    "investeu",
    "cef",
    "life",
    "ppp",
    "bot",
    "boo",
    "bt",
    "concession",
    "espc",
    "tif",
    "green_bond",
    "eu_green_bond",
    "crowdfunding",
    "cn_franchise",
    "cn_ppp_2014",
    "cn_special_purpose_bond",
    "cn_policy_bank_loan",
    "cn_green_bond",
    "cn_emc",
    "cn_government_procurement_of_services",
    "cn_central_pilot_fund",
]
REQUIRED_BUSINESS_MODELS = [
    "esco_guaranteed_savings",
    "esco_shared_savings",
    "availability_payment_ppp",
    "user_fee_concession",
    "operator_self_financing",
    "operator_joint_venture",
    "government_purchase_of_services",
    "vendor_funded_pilot",
    "cloud_pay_as_you_go",
    "revenue_from_data",
    "earmarked_fines",
    "congestion_charging",
    "land_value_capture",
    "public_budget",
]


def test_every_required_instrument_exists(seed_data: datafiles.SeedData) -> None:
    ids = {r.id for r in seed_data.instruments}
    assert not set(REQUIRED_INSTRUMENTS) - ids


def test_every_required_business_model_exists(seed_data: datafiles.SeedData) -> None:
    ids = {r.id for r in seed_data.business_models}
    assert not set(REQUIRED_BUSINESS_MODELS) - ids


def test_required_ids_match_the_architecture_document() -> None:
    doc = SHARED / "ARCHITECTURE.md"
    if not doc.exists():
        pytest.skip("shared/ARCHITECTURE.md is not beside this checkout")
    table = doc.read_text().split("Required ids", 1)[1].split("Business models have", 1)[0]
    named = set(re.findall(r"`([a-z0-9_]+)`", table))
    assert named == set(REQUIRED_INSTRUMENTS)


def test_every_record_has_a_source(seed_data: datafiles.SeedData) -> None:
    for rec in (*seed_data.instruments, *seed_data.business_models):
        assert rec.sources, rec.id
    for fx in seed_data.fx_rates:
        assert fx.source.url or fx.source.reference


def _set_fields(rec: InstrumentRecord) -> set[str]:
    skip = {"id", "name_en", "name_zh", "description", "sources", "unconfirmed", "params"}
    skip |= {"not_applicable"}  # reasons, not values: each names a field left at its default
    defaults = type(rec).model_fields
    out = set()
    for name, value in rec:
        if name in skip:
            continue
        if value != defaults[name].get_default(call_default_factory=True):
            out.add(name)
    out |= {f"params.{key}" for key in rec.params}
    return out


def test_every_set_value_is_sourced_or_marked_unconfirmed(
    seed_data: datafiles.SeedData,
) -> None:
    """A value without a source behind it must at least be flagged for review."""
    bare = {}
    for rec in seed_data.instruments:
        supported = {f.split("=", 1)[0] for s in rec.sources for f in s.supports}
        supported |= set(rec.unconfirmed)
        # kind, jurisdiction, status and currency describe the record itself; so does the
        # coverage family it stands for (its country's coverage file lists it)
        described = {"kind", "jurisdiction", "ticket_currency", "coverage_family"}
        missing = _set_fields(rec) - supported - described
        if missing and "*" not in supported:
            bare[rec.id] = sorted(missing)
    assert not bare


def test_business_model_payer_asset_fit_and_incentives_are_sourced(
    seed_data: datafiles.SeedData,
) -> None:
    """Who pays, each asset-fit entry and each incentive name a source or are marked
    unconfirmed: an entry by its own `field=<id>` source, never by the record's first one."""
    bare = []
    for rec in seed_data.business_models:
        backed = {f for s in rec.sources for f in s.supports}
        fields = {f.split("=", 1)[0] for f in backed} | set(rec.unconfirmed)
        if rec.payer and "payer" not in fields:
            bare.append((rec.id, "payer"))
        for name, entries in (("asset_fit", rec.asset_fit), ("incentives", rec.incentives)):
            for entry in entries:
                if f"{name}={entry.id}" not in backed and name not in rec.unconfirmed:
                    bare.append((rec.id, f"{name}={entry.id}"))
    assert not bare


def test_every_revenue_stream_has_a_payer() -> None:
    from typing import get_args

    from catalogue.vocabulary import PAYER_OF_REVENUE, Payer, RevenueStream

    assert set(PAYER_OF_REVENUE) == set(get_args(RevenueStream))
    assert set(PAYER_OF_REVENUE.values()) <= set(get_args(Payer))


SEED_LINES = {
    path.name: path.read_text(encoding="utf-8").splitlines()
    for path in (SEEDS.glob("*.txt") if SEEDS.exists() else [])
}


def _line_numbers(lines: str) -> list[int]:
    numbers: list[int] = []
    for part in re.findall(r"L(\d+)(?:\s*[-–]\s*L?(\d+))?", lines):
        start = int(part[0])
        end = int(part[1]) if part[1] else start
        numbers.extend(range(start, end + 1))
    return numbers


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def test_seed_citations_point_at_lines_that_hold_their_quotes(
    seed_data: datafiles.SeedData,
) -> None:
    if not SEED_LINES:
        pytest.skip("shared/seeds is not beside this checkout")
    records = (*seed_data.instruments, *seed_data.business_models)
    checked = 0
    wrong = []
    for rec in records:
        for source in rec.sources:
            lines = SEED_LINES.get(source.document)
            if lines is None or not source.lines:
                continue
            numbers = _line_numbers(source.lines)
            assert numbers and max(numbers) <= len(lines), (rec.id, source.lines)
            if source.quote:
                text = _norm(" ".join(lines[n - 1] for n in numbers))
                quote = _norm(source.quote.replace("…", " ").replace("...", " "))
                pieces = [p for p in re.split(r"\s{2,}| \.\.\. ", quote) if p]
                if not all(p.strip() in text for p in pieces):
                    wrong.append((rec.id, source.lines, source.quote))
                checked += 1
    assert checked > 100
    assert not wrong


def test_a_scheme_of_one_nation_of_a_country_states_it_as_a_condition(
    seed_data: datafiles.SeedData,
) -> None:
    """A profile states a country, not a nation within it (England, Scotland): a scheme for one
    nation alone is one to check, with the nation to verify (ARCHITECTURE.md, "Reach, not
    hope"), never an option for every city of the country."""
    for record in seed_data.instruments:
        nation = record.params.get("nation")
        if nation:
            assert any(str(nation) in c for c in record.conditions), record.id


def test_fx_rates_cover_every_ticket_currency(seed_data: datafiles.SeedData) -> None:
    currencies = {r.ticket_currency for r in seed_data.instruments} - {"EUR"}
    assert currencies <= {fx.currency for fx in seed_data.fx_rates}


def test_revision_changes_with_content(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "data"
    shutil.copytree(datafiles.DATA_DIR, copy)
    before = datafiles.revision_of(copy)
    (copy / "instruments" / "eu.yaml").write_text(
        (copy / "instruments" / "eu.yaml").read_text() + "\n# touched\n"
    )
    assert datafiles.revision_of(copy) != before


def test_a_broken_record_is_reported_with_file_id_and_field(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "data"
    shutil.copytree(datafiles.DATA_DIR, copy)
    path = copy / "instruments" / "eu.yaml"
    path.write_text(path.read_text().replace("kind: grant", "kind: gift", 1))
    with pytest.raises(datafiles.DataFileError, match=r"eu.yaml: .*: kind"):
        datafiles.load(copy)
