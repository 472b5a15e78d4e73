"""Decision records: an advice as it was given, rechecked today, and as a report."""

import asyncio
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from advisor.decisions import get_body
from advisor.models import Advice
from advisor.recheck import Recheck, recheck
from advisor.reports import MEDIA, Format, advice_report
from api.deps import DetailQuery, EnginePoolDep, KeeperDep, OwnerDep, SnapshotDep
from api.errors import ErrorResponse

router = APIRouter(
    prefix="/v1/advice",
    tags=["advice"],
    responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}},
)
NOT_FOUND = {404: {"model": ErrorResponse}}


@router.get("/{advice_id}", response_model=Advice, responses=NOT_FOUND)
def get_advice(
    advice_id: str,
    request: Request,
    keeper: KeeperDep,
    owner: OwnerDep,
    detail: DetailQuery = "lean",
) -> Response:
    """The stored answer, byte for byte as it was given: by default as the default (lean)
    /v1/match answer, with `?detail=full` as the full one."""
    body = get_body(
        db=request.app.state.db, advice_id=advice_id, owner=owner, keeper=keeper, detail=detail
    )
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
REPORTS: dict[Format, str] = {
    "pdf": "The stored advice as a PDF: project, ranked options with reasons and sources, "
    "why-nots, each mix with its chart and gap, business models, warnings, revision and date.",
    "xlsx": "The stored advice as a workbook: one sheet per section, filterable.",
}


def _add_report_route(fmt: Format) -> None:
    """GET /{advice_id}/report.{fmt}: one handler per format, so each path keeps its own
    media type in the OpenAPI document."""

    def report(
        advice_id: str,
        request: Request,
        snapshot: SnapshotDep,
        keeper: KeeperDep,
        owner: OwnerDep,
        lang: Lang = "en",
    ) -> Response:
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

    router.add_api_route(
        f"/{{advice_id}}/report.{fmt}",
        report,
        methods=["GET"],
        name=f"report_{fmt}",
        description=REPORTS[fmt],
        response_class=Response,
        responses={200: {"content": {MEDIA[fmt]: {}}}, **NOT_FOUND},
    )


for _fmt in REPORTS:
    _add_report_route(_fmt)
