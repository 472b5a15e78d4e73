"""Initial catalogue schema: instruments, business models, FX rates, catalogue metadata.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "instrument",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name_en", sa.String(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False, index=True),
        sa.Column("jurisdiction", sa.String(8), nullable=False, index=True),
        sa.Column("status", sa.String(24), nullable=False, index=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("successor", sa.String(64), nullable=True),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("sectors", sa.JSON(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
    )
    op.create_table(
        "business_model",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name_en", sa.String(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
    )
    op.create_table(
        "fx_rate",
        sa.Column("currency", sa.String(3), primary_key=True),
        sa.Column("date", sa.Date(), primary_key=True),
        sa.Column("per_eur", sa.Float(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
    )
    op.create_table(
        "catalogue_meta",
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("catalogue_meta", "fx_rate", "business_model", "instrument"):
        op.drop_table(table)
