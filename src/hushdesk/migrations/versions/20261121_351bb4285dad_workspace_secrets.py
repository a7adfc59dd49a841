"""workspace secrets

Revision ID: 351bb4285dad
Revises: 52b64efadef6
Create Date: 2026-11-21 21:32:54.648642
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hushdesk.models.base


revision = '351bb4285dad'
down_revision = '52b64efadef6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('workspace_secrets',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('value_ct', sa.LargeBinary(), nullable=False),
    sa.Column('last4', sa.String(length=4), nullable=False),
    sa.Column('updated_by', sa.String(length=32), nullable=True),
    sa.Column('updated_at', hushdesk.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('created_at', hushdesk.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('workspace_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_workspace_secrets_updated_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_workspace_secrets_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workspace_secrets')),
    sa.UniqueConstraint('workspace_id', 'name', name=op.f('uq_workspace_secrets_workspace_id_name'))
    )
    with op.batch_alter_table('workspace_secrets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workspace_secrets_workspace_id'), ['workspace_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('workspace_secrets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workspace_secrets_workspace_id'))

    op.drop_table('workspace_secrets')
