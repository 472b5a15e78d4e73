"""A 100 MB body to a real server is refused with 413 at once, and the server's memory barely
moves: the limit is checked on Content-Length, else while the body streams in (api/bodies.py).
"""

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import Server, memory, reset_peak, serve

MB = 1024 * 1024
BODY = 100 * MB


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(Path(tmp_path_factory.mktemp("limits"))) as running:
        yield running


def _junk(total: int, chunk: int = MB) -> Iterator[bytes]:
    for _ in range(total // chunk):
        yield b" " * chunk


@pytest.mark.parametrize("path", ["/v1/match/batch", "/v1/jobs", "/v1/match"])
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_100_mb_body_is_refused_fast_without_being_held(server, path, declared) -> None:  # type: ignore[no-untyped-def]
    pid = server.process.pid
    httpx.get(f"{server.url}/health", timeout=10)
    reset_peak(pid)
    before, _ = memory(pid)
    headers = {"content-type": "application/json"}
    if declared:  # otherwise httpx sends a generator as chunked transfer encoding
        headers["content-length"] = str(BODY)
    started = time.monotonic()
    answer = httpx.post(server.url + path, content=_junk(BODY), headers=headers, timeout=30)
    elapsed = time.monotonic() - started
    _, peak = memory(pid)
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "payload_too_large"
    assert elapsed < 2.0, f"413 after {elapsed:.2f} s"
    assert peak - before < 100 * MB, f"server grew by {(peak - before) / MB:.0f} MB"
    assert httpx.get(f"{server.url}/health", timeout=10).status_code == 200
