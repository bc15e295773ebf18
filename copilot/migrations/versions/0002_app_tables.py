"""Every table beside the CRM: the action ledger, conversations, API keys, jobs, Slack state, role-play.

Data homes made before this revision already hold these tables (created by ``create_all``, same columns
as here); they are kept as they are, with their rows, and only missing tables are created.

Revision ID: 0002_app_tables
Revises: 0001_crm
Create Date: 2026-11-30 07:05:26.824481
"""
import sqlalchemy as sa
from alembic import op

revision = '0002_app_tables'
down_revision = '0001_crm'
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if 'action_chain_head' not in existing:
        op.create_table('action_chain_head',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id')
        )

    if 'action_events' not in existing:
        op.create_table('action_events',
        sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('action_id', sa.String(length=40), nullable=False),
        sa.Column('actor', sa.String(length=200), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('from_state', sa.String(length=20), nullable=True),
        sa.Column('to_state', sa.String(length=20), nullable=False),
        sa.Column('payload_hash', sa.String(length=64), nullable=False),
        sa.Column('diff', sa.JSON(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('prev_hash', sa.String(length=64), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('seq')
        )
        with op.batch_alter_table('action_events', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_action_events_action_id'), ['action_id'], unique=False)

    if 'actions' not in existing:
        op.create_table('actions',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('payload_hash', sa.String(length=64), nullable=False),
        sa.Column('proposed_payload', sa.JSON(), nullable=False),
        sa.Column('rationale', sa.Text(), nullable=False),
        sa.Column('citations', sa.JSON(), nullable=False),
        sa.Column('confidence', sa.Float(), nullable=False),
        sa.Column('tool_confidence', sa.Float(), nullable=False),
        sa.Column('tool', sa.String(length=100), nullable=False),
        sa.Column('owner_id', sa.String(length=64), nullable=False),
        sa.Column('team_id', sa.String(length=64), nullable=True),
        sa.Column('account_id', sa.String(length=64), nullable=True),
        sa.Column('deal_id', sa.String(length=64), nullable=True),
        sa.Column('call_id', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=True),
        sa.Column('decision', sa.String(length=20), nullable=True),
        sa.Column('decided_by', sa.String(length=64), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('edit_distance', sa.Integer(), nullable=True),
        sa.Column('confirmed_recipients', sa.JSON(), nullable=False),
        sa.Column('claimed_by', sa.String(length=200), nullable=True),
        sa.Column('claimed_at', sa.DateTime(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('result', sa.JSON(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table('actions', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_actions_kind'), ['kind'], unique=False)
            batch_op.create_index(batch_op.f('ix_actions_owner_id'), ['owner_id'], unique=False)
            batch_op.create_index('ix_actions_owner_state', ['owner_id', 'state'], unique=False)
            batch_op.create_index(batch_op.f('ix_actions_state'), ['state'], unique=False)
            batch_op.create_index(batch_op.f('ix_actions_team_id'), ['team_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_actions_tool'), ['tool'], unique=False)

    if 'api_jobs' not in existing:
        op.create_table('api_jobs',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('result', sa.JSON(), nullable=True),
        sa.Column('error', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table('api_jobs', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_api_jobs_user_id'), ['user_id'], unique=False)

    if 'api_keys' not in existing:
        op.create_table('api_keys',
        sa.Column('id', sa.String(length=16), nullable=False),
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('salt', sa.String(length=64), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table('api_keys', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_api_keys_user_id'), ['user_id'], unique=False)

    if 'conversation_turns' not in existing:
        op.create_table('conversation_turns',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('thread_id', sa.String(length=128), nullable=False),
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('state', sa.Text(), nullable=True),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table('conversation_turns', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_conversation_turns_thread_id'), ['thread_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_conversation_turns_user_id'), ['user_id'], unique=False)

    if 'roleplay_scores' not in existing:
        op.create_table('roleplay_scores',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('session_id', sa.String(length=64), nullable=True),
        sa.Column('trainee_id', sa.String(length=64), nullable=False),
        sa.Column('team_id', sa.String(length=64), nullable=True),
        sa.Column('scenario_id', sa.String(length=200), nullable=True),
        sa.Column('scored_at', sa.DateTime(), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('passed', sa.Boolean(), nullable=False),
        sa.Column('checks', sa.JSON(), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table('roleplay_scores', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_roleplay_scores_scored_at'), ['scored_at'], unique=False)
            batch_op.create_index(batch_op.f('ix_roleplay_scores_session_id'), ['session_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_roleplay_scores_team_id'), ['team_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_roleplay_scores_trainee_id'), ['trainee_id'], unique=False)

    if 'roleplay_sessions' not in existing:
        op.create_table('roleplay_sessions',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('trainee_id', sa.String(length=64), nullable=False),
        sa.Column('team_id', sa.String(length=64), nullable=True),
        sa.Column('scenario_id', sa.String(length=200), nullable=False),
        sa.Column('persona', sa.JSON(), nullable=False),
        sa.Column('state', sa.JSON(), nullable=False),
        sa.Column('turns', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('mode', sa.String(length=20), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('transcript_path', sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table('roleplay_sessions', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_roleplay_sessions_team_id'), ['team_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_roleplay_sessions_trainee_id'), ['trainee_id'], unique=False)

    if 'slack_answers' not in existing:
        op.create_table('slack_answers',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('slack_user', sa.String(length=64), nullable=False),
        sa.Column('channel', sa.String(length=64), nullable=False),
        sa.Column('thread_ts', sa.String(length=64), nullable=True),
        sa.Column('message_ts', sa.String(length=64), nullable=True),
        sa.Column('visibility', sa.String(length=20), nullable=False),
        sa.Column('question', sa.Text(), nullable=False),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table('slack_answers', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_slack_answers_user_id'), ['user_id'], unique=False)

    if 'slack_feedback' not in existing:
        op.create_table('slack_feedback',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('answer_id', sa.String(length=40), nullable=False),
        sa.Column('slack_user', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.String(length=64), nullable=True),
        sa.Column('helpful', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table('slack_feedback', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_slack_feedback_answer_id'), ['answer_id'], unique=False)
            batch_op.create_index('ux_slack_feedback_answer_user', ['answer_id', 'slack_user'], unique=True)

    if 'slack_seen' not in existing:
        op.create_table('slack_seen',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key')
        )
        with op.batch_alter_table('slack_seen', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_slack_seen_created_at'), ['created_at'], unique=False)

    if 'slack_threads' not in existing:
        op.create_table('slack_threads',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('ref', sa.String(length=100), nullable=False),
        sa.Column('slack_user', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key')
        )


def downgrade() -> None:
    op.drop_table('slack_threads')
    with op.batch_alter_table('slack_seen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slack_seen_created_at'))

    op.drop_table('slack_seen')
    with op.batch_alter_table('slack_feedback', schema=None) as batch_op:
        batch_op.drop_index('ux_slack_feedback_answer_user')
        batch_op.drop_index(batch_op.f('ix_slack_feedback_answer_id'))

    op.drop_table('slack_feedback')
    with op.batch_alter_table('slack_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slack_answers_user_id'))

    op.drop_table('slack_answers')
    with op.batch_alter_table('roleplay_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roleplay_sessions_trainee_id'))
        batch_op.drop_index(batch_op.f('ix_roleplay_sessions_team_id'))

    op.drop_table('roleplay_sessions')
    with op.batch_alter_table('roleplay_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roleplay_scores_trainee_id'))
        batch_op.drop_index(batch_op.f('ix_roleplay_scores_team_id'))
        batch_op.drop_index(batch_op.f('ix_roleplay_scores_session_id'))
        batch_op.drop_index(batch_op.f('ix_roleplay_scores_scored_at'))

    op.drop_table('roleplay_scores')
    with op.batch_alter_table('conversation_turns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_turns_user_id'))
        batch_op.drop_index(batch_op.f('ix_conversation_turns_thread_id'))

    op.drop_table('conversation_turns')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_user_id'))

    op.drop_table('api_keys')
    with op.batch_alter_table('api_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_jobs_user_id'))

    op.drop_table('api_jobs')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actions_tool'))
        batch_op.drop_index(batch_op.f('ix_actions_team_id'))
        batch_op.drop_index(batch_op.f('ix_actions_state'))
        batch_op.drop_index('ix_actions_owner_state')
        batch_op.drop_index(batch_op.f('ix_actions_owner_id'))
        batch_op.drop_index(batch_op.f('ix_actions_kind'))

    op.drop_table('actions')
    with op.batch_alter_table('action_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_events_action_id'))

    op.drop_table('action_events')
    op.drop_table('action_chain_head')
