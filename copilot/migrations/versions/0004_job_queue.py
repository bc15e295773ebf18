"""Job queue: each job keeps its arguments (a worker in another process runs it from them), its attempts,
and which worker holds it with that worker's last heartbeat (so a dead worker's job is retried or failed).

Revision ID: 0004_job_queue
Revises: 0003_health
Create Date: 2026-11-30 07:15:28.213828
"""
import sqlalchemy as sa
from alembic import op

revision = '0004_job_queue'
down_revision = '0003_health'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('args', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('max_attempts', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('worker', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('api_jobs', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('worker')
        batch_op.drop_column('max_attempts')
        batch_op.drop_column('attempts')
        batch_op.drop_column('args')
