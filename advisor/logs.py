"""Structured logs: one line per event, `event=NAME key=value ...` (values quoted when needed).

    2026-11-30 07:30:01,123 level=INFO event=server_start pid=4242 database=sqlite:///...
    2026-11-30 07:30:09,456 level=INFO event=chunk_done job=1f0c... first=1 last=50 rows=50 ...

`configure()` gives the `advisor` logger a stderr handler only when nothing else has configured
logging (uvicorn configures its own loggers, not the root); an application or a test harness
that has its own root handlers keeps them in charge.
"""

import json
import logging
from typing import Any

from sqlalchemy.engine import make_url

log = logging.getLogger("advisor")
FORMAT = "%(asctime)s level=%(levelname)s %(message)s"


def _value(value: Any) -> str:
    text = f"{value:.3f}" if isinstance(value, float) else str(value)
    if not text or any(c.isspace() or c in '="' for c in text):
        return json.dumps(text)
    return text


def line(name: str, **fields: Any) -> str:
    return " ".join([f"event={name}", *(f"{k}={_value(v)}" for k, v in fields.items())])


def event(name: str, /, *, level: int = logging.INFO, **fields: Any) -> None:
    log.log(level, line(name, **fields))


def safe_url(url: str) -> str:
    """The database URL with its password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can read: say nothing of it but its scheme
        return url.split("://", 1)[0] + "://..."


def configure(level: int = logging.INFO) -> None:
    if logging.getLogger().handlers or any(getattr(h, "advisor", False) for h in log.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.advisor = True  # type: ignore[attr-defined]
    log.addHandler(handler)
    log.setLevel(level)
