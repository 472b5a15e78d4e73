"""Decision records: each advice given, and the catalogue records of each revision it used.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "advice_record",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("as_of_given", sa.Boolean(), nullable=False),
        sa.Column("catalogue_revision", sa.String(64), nullable=False),
        sa.Column("ruleset_version", sa.String(32), nullable=False),
        sa.Column("owner", sa.String(64), nullable=True),
        sa.Column("profile", sa.LargeBinary(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_advice_record_owner", "advice_record", ["owner"])
    op.create_index("ix_advice_record_catalogue_revision", "advice_record", ["catalogue_revision"])
    op.create_table(
        "advice_catalogue",
        sa.Column("revision", sa.String(64), primary_key=True),
        sa.Column("records", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("advice_catalogue")
    op.drop_index("ix_advice_record_catalogue_revision", "advice_record")
    op.drop_index("ix_advice_record_owner", "advice_record")
    op.drop_table("advice_record")
