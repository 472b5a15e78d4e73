"""Jobs stored in compressed chunks: exactly one record per row, counts from what is stored.

`job_item` (a row per input row, its output as text) becomes `job_chunk` (rows in chunks, input
and output zlib-compressed JSON, with the chunk's state, attempts and lease). Jobs gain their
owner (the API key that created them) and the time they ended; their done and failed counts
are now sums over the stored chunks. Existing jobs are carried over, their records included.

Revision ID: 0003
Revises: 0002
"""

import json
import zlib
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _pack(text: str) -> bytes:
    return zlib.compress(text.encode(), 6)


def upgrade() -> None:
    chunk = op.create_table(
        "job_chunk",
        sa.Column("job_id", sa.String(36), sa.ForeignKey("job.id"), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("first", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.Column("input", sa.LargeBinary(), nullable=False),
        sa.Column("output", sa.LargeBinary(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("lease_until", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )  # fmt: skip
    op.create_index("ix_job_chunk_state", "job_chunk", ["state"])
    bind = op.get_bind()
    _carry_over(bind, chunk)
    op.drop_table("job_item")
    # plain ALTER TABLE (SQLite 3.35+ drops columns too): rebuilding `job`, as a batch
    # migration does on SQLite, would break the foreign keys that point at it
    op.add_column("job", sa.Column("owner", sa.String(36), nullable=True))
    op.add_column("job", sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("ALTER TABLE job DROP COLUMN done")
    op.execute("ALTER TABLE job DROP COLUMN failed")
    op.create_index("ix_job_owner", "job", ["owner"])


def _carry_over(bind: sa.Connection, chunk: sa.Table) -> None:
    """Each existing job's rows, cut into its chunk size; a chunk is done if all its rows are."""
    now = datetime.now(UTC)
    jobs = bind.execute(sa.text("SELECT id, chunk, status FROM job")).all()
    for job_id, size, status in jobs:
        query = 'SELECT "row", input, ok, output FROM job_item WHERE job_id = :j ORDER BY "row"'
        items = bind.execute(sa.text(query), {"j": job_id}).all()
        rows = []
        for start in range(0, len(items), size):
            part = items[start : start + size]
            inputs = [item.input if isinstance(item.input, dict) else json.loads(item.input)
                      for item in part]  # fmt: skip
            finished = all(item.output is not None for item in part)
            rows.append(
                {
                    "job_id": job_id, "seq": start // size, "first": part[0].row,
                    "last": part[-1].row, "input": _pack(json.dumps(inputs, ensure_ascii=False)),
                    "output": _pack("".join(item.output + "\n" for item in part))
                    if finished else None,
                    "state": "done" if finished else "queued",
                    "done": len(part) if finished else 0,
                    "failed": sum(not item.ok for item in part) if finished else 0,
                    "attempts": 0, "claimed_by": None, "lease_until": None, "updated_at": now,
                }
            )  # fmt: skip
        if rows:
            bind.execute(chunk.insert(), rows)
        if status != "done" and rows and all(row["state"] == "done" for row in rows):
            bind.execute(sa.text("UPDATE job SET status = 'done' WHERE id = :j"), {"j": job_id})


def downgrade() -> None:
    op.drop_index("ix_job_owner", "job")
    op.add_column("job", sa.Column("done", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("job", sa.Column("failed", sa.Integer(), nullable=False, server_default="0"))
    op.execute("ALTER TABLE job DROP COLUMN finished_at")
    op.execute("ALTER TABLE job DROP COLUMN owner")
    op.create_table(
        "job_item",
        sa.Column("job_id", sa.String(36), sa.ForeignKey("job.id"), primary_key=True),
        sa.Column("row", sa.Integer(), primary_key=True),
        sa.Column("input", sa.JSON(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=True),
        sa.Column("output", sa.Text(), nullable=True),
    )  # fmt: skip
    op.drop_index("ix_job_chunk_state", "job_chunk")
    op.drop_table("job_chunk")
