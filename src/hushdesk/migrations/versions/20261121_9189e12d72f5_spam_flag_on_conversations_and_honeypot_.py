"""spam flag on conversations and honeypot on visitor sessions

Revision ID: 9189e12d72f5
Revises: 454ee53717f1
Create Date: 2026-11-21 23:25:57.502433
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '9189e12d72f5'
down_revision = '454ee53717f1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('spam', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('spam_score', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('spam_reasons', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('spam_source', sa.String(length=10), nullable=True))
        batch_op.create_index('ix_conversations_ws_spam_last', ['workspace_id', 'spam', 'last_message_at'], unique=False)

    with op.batch_alter_table('visitor_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('honeypot', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('visitor_sessions', schema=None) as batch_op:
        batch_op.drop_column('honeypot')

    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index('ix_conversations_ws_spam_last')
        batch_op.drop_column('spam_source')
        batch_op.drop_column('spam_reasons')
        batch_op.drop_column('spam_score')
        batch_op.drop_column('spam')
