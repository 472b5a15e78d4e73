"""Recheck: a stored decision's profile against today's catalogue and rules, and what changed.

The profile runs as it was sent: an `as_of` the caller gave is kept (the question was about that
date); one left out means "today", so it is today again now. The answer names each change and
what is behind it (advisor/changes.py).
"""

import json
from datetime import date

from pydantic import Field
from sqlalchemy import Engine

from advisor.advice import advise
from advisor.changes import Change, Comparison
from advisor.decisions import (
    Keeper,
    catalogue_records,
    get_profile,
    get_record,
    old_catalogue,
    unpack,
)
from advisor.models import Advice, Frozen, ProjectProfile
from catalogue.snapshot import Snapshot


class Recheck(Frozen):
    advice_id: str
    as_of_before: date
    as_of_now: date
    as_of_kept: bool = Field(
        description="true when the profile gave as_of: the same date is asked again; false: "
        "it asked about 'today', so today's date is used now"
    )
    note: str
    catalogue_revision_before: str
    catalogue_revision_now: str
    ruleset_version_before: str
    ruleset_version_now: str
    changed: bool
    changes: list[Change]
    other_differences: list[str] = Field(
        default_factory=list,
        description="sections of the answer that differ beyond the changes listed",
    )
    advice: Advice = Field(description="today's answer (not stored)")


def recheck(
    *,
    db: Engine,
    advice_id: str,
    snapshot: Snapshot,
    owner: str | None = None,
    keeper: Keeper | None = None,
    today: date | None = None,
) -> Recheck:
    row = get_record(db=db, advice_id=advice_id, owner=owner, keeper=keeper)
    old = json.loads(unpack(row.body))
    profile = ProjectProfile.model_validate(get_profile(row))
    advice = advise(profile, snapshot, today=today)
    comparison = Comparison(
        old,
        advice.model_dump(mode="json"),
        old_records=old_catalogue(db=db, revision=row.catalogue_revision),
        new_records=catalogue_records(snapshot),
    )
    changes = comparison.changes()
    others = comparison.other_differences()
    if row.as_of_given:
        note = f"as_of {row.as_of} was given in the profile and is kept"
    else:
        note = f"the profile gave no as_of: it was {row.as_of} then, today ({advice.as_of}) now"
    return Recheck(
        advice_id=row.id, as_of_before=row.as_of, as_of_now=advice.as_of,
        as_of_kept=row.as_of_given, note=note,
        catalogue_revision_before=row.catalogue_revision,
        catalogue_revision_now=advice.catalogue_revision,
        ruleset_version_before=row.ruleset_version, ruleset_version_now=advice.ruleset_version,
        changed=bool(changes or others), changes=changes, other_differences=others,
        advice=advice,
    )  # fmt: skip
