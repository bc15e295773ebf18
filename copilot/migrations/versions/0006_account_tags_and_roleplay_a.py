"""account tags and role-play assignments: pre-sales engineers' technical pains noted on accounts (removal
keeps the row: who removed it and when), and scenarios a manager assigned to a trainee with a due date
(completion is read from the trainee's scores)

Revision ID: 0006_account_tags_and_roleplay_a
Revises: 0005_forecast_calls_and_override
Create Date: 2026-11-30 09:49:38.367475
"""
import sqlalchemy as sa
from alembic import op

revision = '0006_account_tags_and_roleplay_a'
down_revision = '0005_forecast_calls_and_override'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('roleplay_assignments',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('trainee_id', sa.String(length=64), nullable=False),
    sa.Column('team_id', sa.String(length=64), nullable=True),
    sa.Column('scenario_id', sa.String(length=200), nullable=False),
    sa.Column('assigned_by', sa.String(length=64), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_by', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('roleplay_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roleplay_assignments_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roleplay_assignments_trainee_id'), ['trainee_id'], unique=False)

    op.create_table('account_tags',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('theme', sa.String(length=60), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('by_user', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.Column('removed_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('account_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_tags_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_tags_theme'), ['theme'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('account_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_tags_theme'))
        batch_op.drop_index(batch_op.f('ix_account_tags_account_id'))

    op.drop_table('account_tags')
    with op.batch_alter_table('roleplay_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roleplay_assignments_trainee_id'))
        batch_op.drop_index(batch_op.f('ix_roleplay_assignments_team_id'))

    op.drop_table('roleplay_assignments')
