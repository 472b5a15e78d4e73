"""SQLModel tables of the catalogue.

Each table row keeps the complete validated record (`record`, JSON) beside the scalar columns the
API filters on in SQL. Table models inherit only from plain data models (sqlmodel's rule).
"""

import datetime as dt
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel


class InstrumentIndex(SQLModel):
    id: str = Field(primary_key=True, max_length=64)
    name_en: str
    kind: str = Field(index=True, max_length=32)
    jurisdiction: str = Field(index=True, max_length=8)
    status: str = Field(index=True, max_length=24)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    successor: str | None = Field(default=None, max_length=64)


class Instrument(InstrumentIndex, table=True):
    __tablename__ = "instrument"

    countries: list[str] = Field(default_factory=list, sa_type=JSON)
    sectors: list[str] = Field(default_factory=list, sa_type=JSON)
    record: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class BusinessModelIndex(SQLModel):
    id: str = Field(primary_key=True, max_length=64)
    name_en: str


class BusinessModel(BusinessModelIndex, table=True):
    __tablename__ = "business_model"

    record: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class FxRateIndex(SQLModel):
    currency: str = Field(primary_key=True, max_length=3)
    date: dt.date = Field(primary_key=True)
    per_eur: float


class FxRate(FxRateIndex, table=True):
    __tablename__ = "fx_rate"

    record: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class CoverageIndex(SQLModel):
    country: str = Field(primary_key=True, max_length=2)


class Coverage(CoverageIndex, table=True):
    __tablename__ = "coverage"

    record: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class CatalogueMetaBase(SQLModel):
    key: str = Field(primary_key=True, max_length=32)
    value: str
    updated_at: dt.datetime


class CatalogueMeta(CatalogueMetaBase, table=True):
    __tablename__ = "catalogue_meta"
