"""network (truncated client address) of user sessions

Revision ID: b3e5c1a7d904
Revises: 9189e12d72f5
Create Date: 2026-11-22 05:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'b3e5c1a7d904'
down_revision = '9189e12d72f5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_network', sa.String(length=50), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_column('client_network')
