from fastapi import APIRouter
from pydantic import BaseModel

from advisor.advice import RULESET_VERSION
from api.deps import SnapshotDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    catalogue_revision: str
    ruleset_version: str
    instruments: int


@router.get("/health", response_model=Health)
def health(snapshot: SnapshotDep) -> Health:
    return Health(
        status="ok",
        catalogue_revision=snapshot.revision,
        ruleset_version=RULESET_VERSION,
        instruments=len(snapshot.instruments),
    )


# load balancers and uptime checks probe with HEAD: the same answer, headers only
router.add_api_route(
    "/health", health, methods=["HEAD"], response_model=Health, operation_id="health_head"
)
