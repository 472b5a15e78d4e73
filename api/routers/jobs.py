"""Portfolio jobs: submit many profiles, follow progress, download results (JSONL or CSV)."""

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from advisor import jobs, keys
from advisor.errors import InvalidInput
from advisor.models import JobRequest, JobStatus
from api.auth import JobsCaller, KeyFirstRoute
from api.bodies import first_oversized
from api.deps import SettingsDep
from api.errors import ErrorResponse

router = APIRouter(
    prefix="/v1/jobs",
    tags=["jobs"],
    route_class=KeyFirstRoute,
    responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}},
)
MEDIA = {"jsonl": "application/x-ndjson", "csv": "text/csv"}


@router.post(
    "",
    response_model=JobStatus,
    status_code=202,
    responses={
        400: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
        429: {"model": ErrorResponse},
    },
)
async def create_job(
    body: JobRequest, request: Request, settings: SettingsDep, caller: JobsCaller
) -> JobStatus:
    """Queue up to ADVISOR_MAX_JOB_ITEMS profiles (default 100,000); answers at once with the
    job's id and progress. Each row gets a record: its advice, or its errors."""
    if len(body.items) > settings.max_job_items:
        raise InvalidInput(
            f"at most {settings.max_job_items} items per job, got {len(body.items)}",
            field="items",
        )
    # rows are stored: none may be larger than a whole single-match body
    big = await asyncio.to_thread(first_oversized, body.items, settings.max_body_bytes)
    if big is not None:
        raise InvalidInput(
            f"item {big} is over {settings.max_body_bytes} bytes, the limit for one profile",
            field=f"items.{big}",
        )
    db = request.app.state.db
    await asyncio.to_thread(keys.admit, db=db, caller=caller, items=len(body.items), job=True)
    job = await asyncio.to_thread(jobs.store_job, db=db, items=body.items, owner=caller.key_id)
    await jobs.enqueue(queue=request.app.state.queue, job=job)
    return await asyncio.to_thread(jobs.get_job, db=db, job_id=job.id, owner=caller.key_id)


@router.get("/{job_id}", response_model=JobStatus, responses={404: {"model": ErrorResponse}})
def get_job(job_id: str, request: Request, caller: JobsCaller) -> JobStatus:
    return jobs.get_job(db=request.app.state.db, job_id=job_id, owner=caller.key_id)


@router.get(
    "/{job_id}/results",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "one record per finished row, in row order",
            "content": {"application/x-ndjson": {}, "text/csv": {}},
        },
        404: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
    },
)
def job_results(
    job_id: str,
    request: Request,
    caller: JobsCaller,
    format: Annotated[Literal["jsonl", "csv"], Query()] = "jsonl",
) -> StreamingResponse:
    """The finished rows so far, in row order (all of them once the job is done)."""
    status = jobs.get_job(db=request.app.state.db, job_id=job_id, owner=caller.key_id)
    lines = jobs.results(db=request.app.state.db, job_id=job_id, fmt=format, owner=caller.key_id)
    return StreamingResponse(
        lines,
        media_type=MEDIA[format],
        headers={
            "X-Job-Status": status.status,
            "Content-Disposition": f'attachment; filename="{job_id}.{format}"',
        },
    )
