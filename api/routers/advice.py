"""Decision records: an advice as it was given, rechecked today, and as a report."""

import asyncio
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from advisor.decisions import get_body
from advisor.models import Advice
from advisor.recheck import Recheck, recheck
from advisor.reports import XLSX_MEDIA, advice_report
from api.deps import EnginePoolDep, KeeperDep, OwnerDep, SnapshotDep
from api.errors import ErrorResponse

router = APIRouter(
    prefix="/v1/advice",
    tags=["advice"],
    responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}},
)
NOT_FOUND = {404: {"model": ErrorResponse}}


@router.get("/{advice_id}", response_model=Advice, responses=NOT_FOUND)
def get_advice(advice_id: str, request: Request, keeper: KeeperDep, owner: OwnerDep) -> Response:
    """The stored answer, byte for byte as it was given."""
    body = get_body(db=request.app.state.db, advice_id=advice_id, owner=owner, keeper=keeper)
    return Response(content=body, media_type="application/json")


@router.get("/{advice_id}/recheck", response_model=Recheck, responses=NOT_FOUND)
async def recheck_advice(
    advice_id: str,
    request: Request,
    snapshot: SnapshotDep,
    pool: EnginePoolDep,
    keeper: KeeperDep,
    owner: OwnerDep,
) -> Recheck:
    """The stored profile against today's catalogue and rules: what changed, and why."""
    run = partial(
        recheck, db=request.app.state.db, advice_id=advice_id, snapshot=snapshot, owner=owner,
        keeper=keeper,
    )  # fmt: skip
    return await asyncio.get_running_loop().run_in_executor(pool, run)


Lang = Annotated[Literal["en", "zh"], Query(description="report language")]
MEDIA = {"pdf": "application/pdf", "xlsx": XLSX_MEDIA}


def _report(fmt, advice_id, request, snapshot, keeper, owner, lang) -> Response:  # type: ignore[no-untyped-def]
    content = advice_report(
        db=request.app.state.db, advice_id=advice_id, snapshot=snapshot, fmt=fmt, lang=lang,
        owner=owner, keeper=keeper,
    )  # fmt: skip
    name = f"advice-{advice_id}-{lang}.{fmt}"
    return Response(
        content=content,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/{advice_id}/report.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **NOT_FOUND},
)
def report_pdf(
    advice_id: str,
    request: Request,
    snapshot: SnapshotDep,
    keeper: KeeperDep,
    owner: OwnerDep,
    lang: Lang = "en",
) -> Response:
    """The stored advice as a PDF: project, ranked options with reasons and sources, why-nots,
    each mix with its chart and gap, business models, warnings, revision and date."""
    return _report("pdf", advice_id, request, snapshot, keeper, owner, lang)


@router.get(
    "/{advice_id}/report.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA: {}}}, **NOT_FOUND},
)
def report_xlsx(
    advice_id: str,
    request: Request,
    snapshot: SnapshotDep,
    keeper: KeeperDep,
    owner: OwnerDep,
    lang: Lang = "en",
) -> Response:
    """The stored advice as a workbook: one sheet per section, filterable."""
    return _report("xlsx", advice_id, request, snapshot, keeper, owner, lang)
