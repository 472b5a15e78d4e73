"""Plain builder functions shared by the tests."""

from typing import Any

from advisor.models import ProjectProfile
from catalogue.schema import InstrumentRecord

TEST_SOURCE = {"document": "test", "reference": "test", "supports": ["*"]}


def profile_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Test project",
        "country": "LT",
        "city": "Vilnius",
        "sector": "street_lighting",
        "stage": "deployment",
        "capex": {"amount": 10_000_000, "currency": "EUR"},
        "revenue_streams": ["energy_savings"],
        "applicant": "municipality",
        "as_of": "2026-11-22",
    }
    data.update(overrides)
    return data


def make_profile(**overrides: Any) -> ProjectProfile:
    return ProjectProfile.model_validate(profile_data(**overrides))


def instrument_record(**overrides: Any) -> InstrumentRecord:
    """A minimal valid catalogue instrument (a global grant for investment), with `overrides`."""
    data: dict[str, Any] = {
        "id": "instrument_x",
        "name_en": "X",
        "name_zh": "X",
        "kind": "grant",
        "jurisdiction": "GLOBAL",
        "description": "test instrument",
        "costs_covered": ["investment"],
        "status": "active",
        "sources": [TEST_SOURCE],
    }
    data.update(overrides)
    return InstrumentRecord.model_validate(data)
