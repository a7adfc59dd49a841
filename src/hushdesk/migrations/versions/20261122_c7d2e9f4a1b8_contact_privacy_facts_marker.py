"""contacts.privacy_facts: whether a contact has any privacy flag or consent event

Revision ID: c7d2e9f4a1b8
Revises: b3e5c1a7d904
Create Date: 2026-11-22 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'c7d2e9f4a1b8'
down_revision = 'b3e5c1a7d904'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite supports it with a constant default): batch mode would copy and drop the table,
    # and dropping contacts is what the other tables' ON DELETE CASCADE listens to.
    op.add_column('contacts', sa.Column('privacy_facts', sa.Boolean(), server_default=sa.false(), nullable=False))
    # Contacts that already have flags or consents must keep being checked against them.
    op.execute(
        "UPDATE contacts SET privacy_facts = TRUE WHERE id IN "
        "(SELECT contact_id FROM processing_flags UNION SELECT contact_id FROM consent_events)"
    )


def downgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:  # SQLite: copies the table (see env.py)
        batch_op.drop_column('privacy_facts')
