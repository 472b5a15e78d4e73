"""Settings from environment variables prefixed ADVISOR_ (one cached instance)."""

import ipaddress
import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

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
    job_retention_days: float = Field(
        default=30,
        ge=0,
        description="jobs that ended this many days ago are deleted with their results "
        "(0 keeps them)",
    )
    job_lease_seconds: float = Field(
        default=60,
        gt=0,
        description="SQLite: a chunk taken by a server process that died is taken again after "
        "this long (a chunk of 50 rows takes a few seconds)",
    )
    job_stalled_seconds: float = Field(
        default=30,
        gt=0,
        description="PostgreSQL: a worker silent this long is taken for dead and its chunks "
        "are queued again; so is a chunk of an active job that had no task this long",
    )
    engine_threads: int = Field(
        default=1,
        ge=1,
        le=64,
        description="threads per server process that run the engine (CPU-bound: one is best)",
    )
    batch_processes: int = Field(
        default=1,
        ge=1,
        le=64,
        description="processes per server process for batches and job chunks, apart from the "
        "engine thread that answers single matches (each holds its own catalogue and engine)",
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
    gzip_level: int = Field(
        default=2,
        ge=1,
        le=9,
        description="gzip compression level (2: a lean answer of ~103 KB in ~0.17 ms of CPU "
        "to ~24 KB, by ISA-L's igzip at levels 1-3; 4-9 by zlib, several times slower)",
    )
    zstd_level: int = Field(
        default=1,
        ge=1,
        le=19,
        description="Zstandard compression level, for clients that accept zstd (1: a lean "
        "answer of ~103 KB in ~0.18 ms of CPU to ~24 KB)",
    )
    auth: Literal["auto", "none", "keys", "all"] = Field(
        default="auto",
        description="who needs an API key: `none`; `keys` (jobs and /v1/match/batch, scope "
        "`jobs`); `all` (everything under /v1; scope `match` for matching and the catalogue); "
        "`auto`: `none` when the server binds a loopback host, else `keys`",
    )
    # Operating choices, not facts: a day's quota holds two of the largest jobs
    # (ADVISOR_MAX_JOB_ITEMS, 100,000), and a few jobs at once keep one key from filling the queue
    key_max_jobs: int = Field(
        default=3, ge=1, description="default per key: jobs queued or running at once"
    )
    key_items_per_day: int = Field(
        default=200_000,
        ge=1,
        description="default per key: profiles accepted per UTC day (jobs and batches)",
    )
    cors_origins: str = Field(
        default="",
        description="comma-separated origins (scheme://host[:port]) whose pages may call the API "
        "from a browser; default none",
    )

    @field_validator("database_url")
    @classmethod
    def _postgres_driver(cls, url: str | None) -> str | None:
        """`postgres://` and `postgresql://` (as Heroku, libpq and most hosts write them) name
        the driver this project uses: psycopg 3."""
        if url and url.startswith(("postgres://", "postgresql://")):
            return "postgresql+psycopg://" + url.split("://", 1)[1]
        return url

    def resolved_auth(self) -> Literal["none", "keys", "all"]:
        """The auth mode in force: `auto` is `none` on a loopback host, `keys` on any other."""
        if self.auth != "auto":
            return self.auth
        return "none" if is_loopback(self.host) else "keys"

    def cors_origin_list(self) -> list[str]:
        """The origins of ADVISOR_CORS_ORIGINS, trimmed, without a trailing slash."""
        return [o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip()]

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'advisor.sqlite3'}"


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback addresses (127.0.0.0/8, ::1); False for 0.0.0.0 and
    any name or address another machine could reach."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@lru_cache
def get_settings() -> Settings:
    return Settings()
