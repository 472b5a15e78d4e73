"""API keys: api_key (hashed secrets, scopes, limits), api_key_usage (items per key and UTC
day). Jobs record the key that created them in `job.owner` (revision 0003).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("max_concurrent_jobs", sa.Integer(), nullable=True),
        sa.Column("max_items_per_day", sa.Integer(), nullable=True),
    )
    op.create_index("ix_api_key_prefix", "api_key", ["prefix"])
    op.create_table(
        "api_key_usage",
        sa.Column("key_id", sa.String(36), sa.ForeignKey("api_key.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("items", sa.Integer(), nullable=False),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("api_key_usage")
    op.drop_index("ix_api_key_prefix", table_name="api_key")
    op.drop_table("api_key")
