"""Portfolio jobs: job and job_item tables; on PostgreSQL, procrastinate's queue schema.

The job tables hold each job's rows and results, so any worker on any host that reaches the
database can process a chunk, and nothing is lost when a process stops. The queue itself is
procrastinate's (PostgreSQL only; the embedded SQLite set-up queues in process).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("chunk", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "job_item",
        sa.Column("job_id", sa.String(36), sa.ForeignKey("job.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("row", sa.Integer(), primary_key=True),
        sa.Column("input", sa.JSON(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=True),
        sa.Column("output", sa.Text(), nullable=True),
    )  # fmt: skip
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        # as procrastinate's own apply_schema does: the driver reads % as a placeholder
        bind.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))


def downgrade() -> None:
    op.drop_table("job_item")
    op.drop_table("job")
