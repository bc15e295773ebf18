"""forecast calls and overrides: people's own forecast calls per period (AI vs human) and reviewers'
overrides of a deal's probability, with the reason (append-only: the rows are the audit trail)

Revision ID: 0005_forecast_calls_and_override
Revises: 0004_job_queue
Create Date: 2026-11-30 07:18:38.624867
"""
import sqlalchemy as sa
from alembic import op

revision = '0005_forecast_calls_and_override'
down_revision = '0004_job_queue'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('forecast_calls',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('caller_id', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('deal_id', sa.String(length=64), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=True),
    sa.Column('amount', sa.Float(), nullable=True),
    sa.Column('made_on', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('forecast_calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forecast_calls_caller_id'), ['caller_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_forecast_calls_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_forecast_calls_period'), ['period'], unique=False)

    op.create_table('forecast_overrides',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('deal_id', sa.String(length=64), nullable=False),
    sa.Column('probability', sa.Float(), nullable=True),
    sa.Column('previous', sa.Float(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('by_user', sa.String(length=64), nullable=False),
    sa.Column('made_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('forecast_overrides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forecast_overrides_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_forecast_overrides_made_on'), ['made_on'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('forecast_overrides', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forecast_overrides_made_on'))
        batch_op.drop_index(batch_op.f('ix_forecast_overrides_deal_id'))

    op.drop_table('forecast_overrides')
    with op.batch_alter_table('forecast_calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forecast_calls_period'))
        batch_op.drop_index(batch_op.f('ix_forecast_calls_deal_id'))
        batch_op.drop_index(batch_op.f('ix_forecast_calls_caller_id'))

    op.drop_table('forecast_calls')
