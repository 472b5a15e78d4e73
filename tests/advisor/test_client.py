"""The Python client against a real server on loopback."""

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from advisor.client import AdvisorAPIError, AdvisorClient
from advisor.models import Advice, ProjectProfile
from advisor.settings import Settings
from api.main import create_app
from tests.builders import profile_data

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.conftest import fresh_database_url

    folder: Path = tmp_path_factory.mktemp("server")
    url = fresh_database_url(folder)
    app = create_app(Settings(database_url=url, data_dir=folder))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_match_returns_the_advice_model(base_url: str) -> None:
    with AdvisorClient(base_url) as client:
        advice = client.match(profile_data())
        typed = client.match(ProjectProfile.model_validate(profile_data()))
    assert isinstance(advice, Advice) and advice.options
    assert advice.options == typed.options


def test_batch_instruments_and_business_models(base_url: str) -> None:
    with AdvisorClient(base_url) as client:
        results = client.batch([profile_data(), {"name": "x"}])
        eu = client.instruments(jurisdiction="EU")
        elena = client.instrument("elena")
        models = client.business_models()
        health = client.health()
    assert results[0].ok and not results[1].ok and results[1].errors
    assert eu and all(i.jurisdiction == "EU" for i in eu)
    assert elena.id == "elena" and elena.sources
    assert any(m.id == "public_budget" for m in models)
    assert health["status"] == "ok"


def test_errors_carry_code_and_field(base_url: str) -> None:
    with AdvisorClient(base_url) as client:
        with pytest.raises(AdvisorAPIError) as missing:
            client.instrument("nothing_here")
        with pytest.raises(AdvisorAPIError) as invalid:
            client.match(profile_data(country="XX"))
    assert missing.value.status == 404 and missing.value.code == "not_found"
    assert invalid.value.status == 422 and invalid.value.field == "country"


def test_jobs_through_the_client(base_url: str) -> None:
    with AdvisorClient(base_url) as client:
        job = client.create_job([profile_data(), {"name": "x"}, profile_data(sector="water")])
        done = client.wait_for_job(job.id, timeout=120, poll=0.2)
        records = client.job_results(job.id)
        table = client.job_results(job.id, format="csv")
    assert done.total == 3 and done.failed == 1
    assert [r["row"] for r in records] == [1, 2, 3] and not records[1]["ok"]
    assert isinstance(table, str) and table.count("\n") == 4
