"""Decision records: an advice as it was given, rechecked today, and as a report."""

import asyncio
from functools import partial

from fastapi import APIRouter, Request, Response

from advisor.decisions import get_body
from advisor.models import Advice
from advisor.recheck import Recheck, recheck
from api.deps import EnginePoolDep, KeeperDep, OwnerDep, SnapshotDep
from api.errors import ErrorResponse

router = APIRouter(prefix="/v1/advice", tags=["advice"])
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
