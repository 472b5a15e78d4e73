"""Coverage: per country, the national instrument families the catalogue covers.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coverage",
        sa.Column("country", sa.String(2), primary_key=True),
        sa.Column("record", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("coverage")
