"""Portfolio jobs: submit many profiles, follow progress, download results (JSONL or CSV)."""

import asyncio
import json
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from advisor import jobs
from advisor.errors import InvalidInput
from advisor.models import JobRequest, JobStatus
from advisor.reports import XLSX_MEDIA, job_xlsx
from api.bodies import StrictJSONRoute, first_oversized
from api.deps import SettingsDep
from api.errors import ErrorResponse

router = APIRouter(prefix="/v1/jobs", tags=["jobs"], route_class=StrictJSONRoute)
MEDIA = {"jsonl": "application/x-ndjson", "csv": "text/csv", "xlsx": XLSX_MEDIA}


@router.post(
    "",
    response_model=JobStatus,
    status_code=202,
    responses={400: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
)
async def create_job(body: JobRequest, request: Request, settings: SettingsDep) -> JobStatus:
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
    job = await asyncio.to_thread(jobs.store_job, db=db, items=body.items)
    await jobs.enqueue(queue=request.app.state.queue, job=job)
    return await asyncio.to_thread(jobs.get_job, db=db, job_id=job.id)


@router.get("/{job_id}", response_model=JobStatus, responses={404: {"model": ErrorResponse}})
def get_job(job_id: str, request: Request) -> JobStatus:
    return jobs.get_job(db=request.app.state.db, job_id=job_id)


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
    format: Annotated[Literal["jsonl", "csv", "xlsx"], Query()] = "jsonl",
) -> Response:
    """The finished rows so far, in row order (all of them once the job is done); `xlsx` gives
    one workbook: a summary sheet, then a row per option and per mix component."""
    status = jobs.get_job(db=request.app.state.db, job_id=job_id)
    if format == "xlsx":
        lines = jobs.results(db=request.app.state.db, job_id=job_id, fmt="jsonl")
        return Response(
            job_xlsx(json.loads(line) for line in lines),
            media_type=XLSX_MEDIA,
            headers={
                "X-Job-Status": status.status,
                "Content-Disposition": f'attachment; filename="{job_id}.xlsx"',
            },
        )
    lines = jobs.results(db=request.app.state.db, job_id=job_id, fmt=format)
    return StreamingResponse(
        lines,
        media_type=MEDIA[format],
        headers={
            "X-Job-Status": status.status,
            "Content-Disposition": f'attachment; filename="{job_id}.{format}"',
        },
    )
