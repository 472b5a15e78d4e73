"""A typed Python client for the Funding Advisor API (httpx), using the service's own models.

    from advisor.client import AdvisorClient

    with AdvisorClient("http://localhost:8000") as client:
        advice = client.match({"name": "LED lighting", "country": "LT", ...})
        print(advice.options[0].instrument_id, advice.mixes[0].gap)
        results = client.batch([profile_a, profile_b])   # one BatchItem per profile
        job = client.create_job(portfolio)               # large portfolios, in the background
        client.wait_for_job(job.id); records = client.job_results(job.id)
        eu = client.instruments(jurisdiction="EU")

Errors come back as `AdvisorAPIError` with the API's code, message and field.
"""

import json
import time
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import httpx

from advisor.models import (
    Advice,
    BatchItem,
    BatchResponse,
    BusinessModelPublic,
    InstrumentPublic,
    JobStatus,
    ProjectProfile,
)

Profile = ProjectProfile | Mapping[str, Any]


class AdvisorAPIError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.field = field


def _payload(profile: Profile) -> dict[str, Any]:
    if isinstance(profile, ProjectProfile):
        return profile.model_dump(mode="json", exclude_none=True)
    return dict(profile)


class AdvisorClient:
    """Synchronous client; `api_key` is sent as `Authorization: Bearer KEY` (jobs and batch
    need one on a server with ADVISOR_AUTH=keys); pass `transport` to talk to an app in-process
    (tests)."""

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000",
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        api_key: str | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else None
        self._http = httpx.Client(
            base_url=base_url, timeout=timeout, transport=transport, headers=headers
        )

    def __enter__(self) -> "AdvisorClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, path, **kwargs)
        if response.status_code >= 400:
            try:
                error = response.json()["error"]
            except (ValueError, KeyError, TypeError):
                error = {"code": "http_error", "message": response.text, "field": None}
            raise AdvisorAPIError(
                response.status_code, error["code"], error["message"], error.get("field")
            )
        return response.json()

    def health(self) -> dict[str, Any]:
        return self._request("GET", "/health")

    def match(self, profile: Profile) -> Advice:
        return Advice.model_validate(self._request("POST", "/v1/match", json=_payload(profile)))

    def batch(self, profiles: Iterable[Profile]) -> list[BatchItem]:
        body = {"items": [_payload(p) for p in profiles]}
        return BatchResponse.model_validate(
            self._request("POST", "/v1/match/batch", json=body)
        ).results

    def create_job(self, profiles: Iterable[Profile]) -> JobStatus:
        """Queue a portfolio; returns at once with the job's id and progress."""
        body = {"items": [_payload(p) for p in profiles]}
        return JobStatus.model_validate(self._request("POST", "/v1/jobs", json=body))

    def job(self, job_id: str) -> JobStatus:
        return JobStatus.model_validate(self._request("GET", f"/v1/jobs/{job_id}"))

    def wait_for_job(self, job_id: str, *, timeout: float = 3600.0, poll: float = 1.0) -> JobStatus:
        """Poll until the job has ended (done, failed or cancelled: see `status.status`);
        raises TimeoutError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.job(job_id)
            if status.status in ("done", "failed", "cancelled"):
                return status
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} not done after {timeout} s: {status}")
            time.sleep(poll)

    def job_results(self, job_id: str, *, format: str = "jsonl") -> list[dict[str, Any]] | str:
        """The job's records: parsed JSONL records, or the CSV text with format="csv"."""
        response = self._http.get(f"/v1/jobs/{job_id}/results", params={"format": format})
        if response.status_code >= 400:
            self._request("GET", f"/v1/jobs/{job_id}")  # raises the API's error
        if format == "csv":
            return response.text
        return [json.loads(line) for line in response.text.splitlines() if line.strip()]

    def instruments(
        self,
        *,
        jurisdiction: str | None = None,
        kind: str | None = None,
        sector: str | None = None,
        country: str | None = None,
        status: str | None = None,
        as_of: date | None = None,
    ) -> list[InstrumentPublic]:
        """Every instrument matching the filters (pages through the API)."""
        params: dict[str, Any] = {
            k: v
            for k, v in {
                "jurisdiction": jurisdiction, "kind": kind, "sector": sector,
                "country": country, "status": status,
                "as_of": as_of.isoformat() if as_of else None,
            }.items()
            if v is not None
        }  # fmt: skip
        out: list[InstrumentPublic] = []
        while True:
            page = self._request(
                "GET", "/v1/instruments", params={**params, "offset": len(out), "limit": 500}
            )
            out.extend(InstrumentPublic.model_validate(item) for item in page["data"])
            if len(out) >= page["count"] or not page["data"]:
                return out

    def instrument(self, instrument_id: str) -> InstrumentPublic:
        return InstrumentPublic.model_validate(
            self._request("GET", f"/v1/instruments/{instrument_id}")
        )

    def business_models(self) -> list[BusinessModelPublic]:
        page = self._request("GET", "/v1/business-models")
        return [BusinessModelPublic.model_validate(item) for item in page["data"]]
