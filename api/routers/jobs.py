"""Portfolio jobs: submit many profiles, follow progress, download results (JSONL or CSV)."""

import asyncio
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from advisor import jobs, keys
from advisor.errors import InvalidInput
from advisor.models import JobRequest, JobStatus
from advisor.reports import XLSX_MEDIA, job_xlsx
from api.auth import Caller, JobsCaller, KeyFirstRoute
from api.bodies import first_oversized, strict_loads
from api.deps import SettingsDep
from api.errors import ErrorResponse

router = APIRouter(
    prefix="/v1/jobs",
    tags=["jobs"],
    route_class=KeyFirstRoute,
    responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}},
)
MEDIA = {"jsonl": "application/x-ndjson", "csv": "text/csv", "xlsx": XLSX_MEDIA}
JOB_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": JobRequest.model_json_schema()}},
    }
}


def _accept(body: bytes, settings: Any, db: Any, caller: Caller) -> jobs.Job:
    """Parse, check and store a job's rows: in a worker thread, so that a 100,000-row body
    holds up nobody else's request."""
    try:
        request = JobRequest.model_validate(strict_loads(body))
    except json.JSONDecodeError as exc:  # as FastAPI reports a body it cannot parse
        raise RequestValidationError(
            [{"type": "json_invalid", "loc": ("body",), "msg": "JSON decode error",
              "ctx": {"error": exc.msg}}]
        ) from None  # fmt: skip
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        ) from None
    if len(request.items) > settings.max_job_items:
        raise InvalidInput(
            f"at most {settings.max_job_items} items per job, got {len(request.items)}",
            field="items",
        )
    # rows are stored: none may be larger than a whole single-match body
    big = first_oversized(request.items, settings.max_body_bytes)
    if big is not None:
        raise InvalidInput(
            f"item {big} is over {settings.max_body_bytes} bytes, the limit for one profile",
            field=f"items.{big}",
        )
    # the key's limits are checked in the transaction that stores the job: atomic
    count = len(request.items)
    return jobs.store_job(
        db=db, items=request.items, owner=caller.key_id,
        admit=lambda session: keys.admit_in(session, caller=caller, items=count, job=True),
    )  # fmt: skip


@router.post(
    "",
    response_model=JobStatus,
    status_code=202,
    responses={
        400: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
        429: {"model": ErrorResponse},
    },
    openapi_extra=JOB_BODY,
)
async def create_job(request: Request, settings: SettingsDep, caller: JobsCaller) -> JobStatus:
    """Queue up to ADVISOR_MAX_JOB_ITEMS profiles (default 100,000) as `{"items": [...]}`;
    answers at once with the job's id and progress. Each row gets a record: its advice, or its
    errors."""
    body = await request.body()
    db = request.app.state.db
    job = await asyncio.to_thread(_accept, body, settings, db, caller)
    await request.app.state.jobs.submit(job)
    return await asyncio.to_thread(jobs.get_job, db=db, job_id=job.id, owner=caller.key_id)


@router.get("", response_model=list[JobStatus])
def list_jobs(
    request: Request,
    caller: JobsCaller,
    status: Annotated[
        Literal["queued", "running", "done", "failed", "cancelled"] | None, Query()
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[JobStatus]:
    """The caller's jobs, newest first (with keys required, those its key created)."""
    return jobs.list_jobs(
        db=request.app.state.db, owner=caller.key_id, status=status, limit=limit, offset=offset
    )


@router.get("/{job_id}", response_model=JobStatus, responses={404: {"model": ErrorResponse}})
def get_job(job_id: str, request: Request, caller: JobsCaller) -> JobStatus:
    return jobs.get_job(db=request.app.state.db, job_id=job_id, owner=caller.key_id)


@router.delete("/{job_id}", response_model=JobStatus, responses={404: {"model": ErrorResponse}})
def cancel_job(job_id: str, request: Request, caller: JobsCaller) -> JobStatus:
    """Cancel a queued or running job: no further rows start; records stored so far stay
    readable. A job that has ended is left as it is."""
    return jobs.cancel(db=request.app.state.db, job_id=job_id, owner=caller.key_id)


@router.get(
    "/{job_id}/results",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "one record per finished row, in row order",
            "content": {"application/x-ndjson": {}, "text/csv": {}, XLSX_MEDIA: {}},
        },
        404: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
    },
)
def job_results(
    job_id: str,
    request: Request,
    caller: JobsCaller,
    format: Annotated[Literal["jsonl", "csv", "xlsx"], Query()] = "jsonl",
) -> Response:
    """The finished rows so far, in row order (all of them once the job is done); `xlsx` gives
    one workbook: a summary sheet, then a row per option and per mix component."""
    owner = caller.key_id
    status = jobs.get_job(db=request.app.state.db, job_id=job_id, owner=owner)
    if format == "xlsx":
        lines = jobs.results(db=request.app.state.db, job_id=job_id, fmt="jsonl", owner=owner)
        return Response(
            job_xlsx(json.loads(line) for text in lines for line in text.splitlines()),
            media_type=XLSX_MEDIA,
            headers={
                "X-Job-Status": status.status,
                "Content-Disposition": f'attachment; filename="{job_id}.xlsx"',
            },
        )
    lines = jobs.results(db=request.app.state.db, job_id=job_id, fmt=format, owner=owner)
    return StreamingResponse(
        lines,
        media_type=MEDIA[format],
        headers={
            "X-Job-Status": status.status,
            "Content-Disposition": f'attachment; filename="{job_id}.{format}"',
        },
    )
