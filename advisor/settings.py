"""Settings from environment variables prefixed ADVISOR_ (one cached instance)."""

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "funding-advisor"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ADVISOR_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file under data_dir"
    )
    host: str = "127.0.0.1"
    port: int = 8000
    snapshot_ttl_seconds: float = Field(
        default=30.0, ge=0, description="how often the API checks for a new catalogue revision"
    )
    max_batch_items: int = Field(default=500, ge=1)
    max_job_items: int = Field(default=100_000, ge=1)
    max_body_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        description="request body limit for /v1/match and every endpoint without its own "
        "(a profile is well under 2 KB)",
    )
    max_batch_body_bytes: int = Field(
        default=4 * 1024 * 1024, ge=1024, description="request body limit for /v1/match/batch"
    )
    max_job_body_bytes: int = Field(
        default=64 * 1024 * 1024, ge=1024, description="request body limit for POST /v1/jobs"
    )
    jobs_worker: bool = Field(
        default=True,
        description="run a job worker inside the API process (with PostgreSQL, more can run "
        "anywhere with `advisor worker`)",
    )
    engine_threads: int = Field(
        default=1,
        ge=1,
        le=64,
        description="threads per server process that run the engine (CPU-bound: one is best)",
    )
    naive_engine: bool = Field(
        default=False, description="a fresh engine per request (benchmark baseline only)"
    )
    gzip_min_bytes: int = Field(
        default=1024, ge=0, description="responses at least this large are gzip-compressed"
    )
    keep_advice: bool = Field(
        default=True,
        description="store every /v1/match answer as a decision record (GET /v1/advice/{id})",
    )
    gzip_level: int = Field(default=6, ge=1, le=9, description="gzip compression level")

    @field_validator("database_url")
    @classmethod
    def _postgres_driver(cls, url: str | None) -> str | None:
        """`postgres://` and `postgresql://` (as Heroku, libpq and most hosts write them) name
        the driver this project uses: psycopg 3."""
        if url and url.startswith(("postgres://", "postgresql://")):
            return "postgresql+psycopg://" + url.split("://", 1)[1]
        return url

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'advisor.sqlite3'}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
