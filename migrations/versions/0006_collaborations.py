"""collaborations, pipeline steps, NDAs, seed technology fields

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 09:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('collaborations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('direct_costs', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('indirect_rate', sa.Numeric(precision=5, scale=4), nullable=True),
    sa.Column('indirect_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('indirect_reason', sa.String(length=40), nullable=True),
    sa.Column('quarterly_reports', sa.Boolean(), nullable=False),
    sa.Column('contract_language', sa.String(length=10), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('planned_start', sa.Date(), nullable=True),
    sa.Column('planned_end', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('close_reason', sa.Text(), nullable=True),
    sa.Column('exclusivity', sa.String(length=20), nullable=True),
    sa.Column('transfers_ip', sa.Boolean(), nullable=False),
    sa.Column('bayh_dole_agency', sa.String(length=200), nullable=True),
    sa.Column('bayh_dole_approved_on', sa.Date(), nullable=True),
    sa.Column('bayh_dole_reference', sa.String(length=100), nullable=True),
    sa.Column('conflicts_reviewed_ids', sa.Text(), nullable=True),
    sa.Column('conflicts_reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('conflicts_reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("contract_language IN ('ja', 'partner')", name=op.f('ck_collaborations_language_known')),
    sa.CheckConstraint("exclusivity IS NULL OR exclusivity IN ('exclusive', 'non_exclusive')", name=op.f('ck_collaborations_exclusivity_known')),
    sa.CheckConstraint("kind IN ('joint_research', 'contract_research', 'licence', 'consulting', 'membership')", name=op.f('ck_collaborations_kind_known')),
    sa.CheckConstraint("stage IN ('partner_search', 'intent_check', 'partner_info', 'scheme', 'nda', 'research_plan', 'contract_terms', 'confirmation', 'export_control', 'active', 'closed')", name=op.f('ck_collaborations_stage_known')),
    sa.CheckConstraint('closed_on IS NULL OR closed_on >= opened_on', name=op.f('ck_collaborations_closed_after_open')),
    sa.CheckConstraint('direct_costs IS NULL OR direct_costs >= 0', name=op.f('ck_collaborations_costs_not_negative')),
    sa.CheckConstraint('length(currency) = 3', name=op.f('ck_collaborations_currency_iso')),
    sa.CheckConstraint('planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start', name=op.f('ck_collaborations_planned_order')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_collaborations_company_id_companies'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['conflicts_reviewed_by_id'], ['users.id'], name=op.f('fk_collaborations_conflicts_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['officer_id'], ['users.id'], name=op.f('fk_collaborations_officer_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collaborations'))
    )
    with op.batch_alter_table('collaborations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collaborations_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_collaborations_conflicts_reviewed_by_id'), ['conflicts_reviewed_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_collaborations_officer_id'), ['officer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_collaborations_opened_on'), ['opened_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_collaborations_stage'), ['stage'], unique=False)

    op.create_table('collaboration_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collaboration_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=20), nullable=False),
    sa.Column('item', sa.String(length=40), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('checked_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("step IN ('partner_search', 'intent_check', 'partner_info', 'scheme', 'nda', 'research_plan', 'contract_terms', 'confirmation', 'export_control')", name=op.f('ck_collaboration_checks_step_known')),
    sa.ForeignKeyConstraint(['checked_by_id'], ['users.id'], name=op.f('fk_collaboration_checks_checked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['collaboration_id'], ['collaborations.id'], name=op.f('fk_collaboration_checks_collaboration_id_collaborations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collaboration_checks')),
    sa.UniqueConstraint('collaboration_id', 'step', 'item', name='uq_collaboration_checks_item')
    )
    with op.batch_alter_table('collaboration_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collaboration_checks_checked_by_id'), ['checked_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_collaboration_checks_collaboration_id'), ['collaboration_id'], unique=False)

    op.create_table('collaboration_minutes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collaboration_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('attendees', sa.Text(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('next_steps', sa.Text(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('meeting', 'progress')", name=op.f('ck_collaboration_minutes_kind_known')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_collaboration_minutes_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['collaboration_id'], ['collaborations.id'], name=op.f('fk_collaboration_minutes_collaboration_id_collaborations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collaboration_minutes'))
    )
    with op.batch_alter_table('collaboration_minutes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collaboration_minutes_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_collaboration_minutes_collaboration_id'), ['collaboration_id'], unique=False)

    op.create_table('collaboration_researchers',
    sa.Column('collaboration_id', sa.Integer(), nullable=False),
    sa.Column('researcher_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['collaboration_id'], ['collaborations.id'], name=op.f('fk_collaboration_researchers_collaboration_id_collaborations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['researcher_id'], ['researchers.id'], name=op.f('fk_collaboration_researchers_researcher_id_researchers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('collaboration_id', 'researcher_id', name=op.f('pk_collaboration_researchers'))
    )
    with op.batch_alter_table('collaboration_researchers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collaboration_researchers_researcher_id'), ['researcher_id'], unique=False)

    op.create_table('collaboration_seeds',
    sa.Column('collaboration_id', sa.Integer(), nullable=False),
    sa.Column('seed_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['collaboration_id'], ['collaborations.id'], name=op.f('fk_collaboration_seeds_collaboration_id_collaborations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['seed_id'], ['research_seeds.id'], name=op.f('fk_collaboration_seeds_seed_id_research_seeds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('collaboration_id', 'seed_id', name=op.f('pk_collaboration_seeds'))
    )
    with op.batch_alter_table('collaboration_seeds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collaboration_seeds_seed_id'), ['seed_id'], unique=False)

    op.create_table('collaboration_signoffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collaboration_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=20), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_by_name', sa.String(length=200), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.Column('missing_items', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("step IN ('partner_search', 'intent_check', 'partner_info', 'scheme', 'nda', 'research_plan', 'contract_terms', 'confirmation', 'export_control')", name=op.f('ck_collaboration_signoffs_step_known')),
    sa.CheckConstraint('missing_items IS NULL OR override_reason IS NOT NULL', name=op.f('ck_collaboration_signoffs_override_has_reason')),
    sa.ForeignKeyConstraint(['collaboration_id'], ['collaborations.id'], name=op.f('fk_collaboration_signoffs_collaboration_id_collaborations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_collaboration_signoffs_signed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collaboration_signoffs')),
    sa.UniqueConstraint('collaboration_id', 'step', name='uq_collaboration_signoffs_step')
    )
    with op.batch_alter_table('collaboration_signoffs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collaboration_signoffs_collaboration_id'), ['collaboration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_collaboration_signoffs_signed_by_id'), ['signed_by_id'], unique=False)

    op.create_table('ndas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('collaboration_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('parties', sa.Text(), nullable=True),
    sa.Column('mutual', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('term_months', sa.Integer(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('survival_months', sa.Integer(), nullable=False),
    sa.Column('survives_until', sa.Date(), nullable=False),
    sa.Column('governing_law', sa.String(length=100), nullable=True),
    sa.Column('arbitration_place', sa.String(length=200), nullable=True),
    sa.Column('arbitration_country', sa.String(length=2), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'negotiating', 'signed', 'terminated')", name=op.f('ck_ndas_status_known')),
    sa.CheckConstraint('expires_on >= effective_from', name=op.f('ck_ndas_expires_after_start')),
    sa.CheckConstraint('survival_months >= 0', name=op.f('ck_ndas_survival_not_negative')),
    sa.CheckConstraint('term_months > 0', name=op.f('ck_ndas_term_positive')),
    sa.ForeignKeyConstraint(['collaboration_id'], ['collaborations.id'], name=op.f('fk_ndas_collaboration_id_collaborations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_ndas_company_id_companies'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ndas'))
    )
    with op.batch_alter_table('ndas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ndas_collaboration_id'), ['collaboration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ndas_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ndas_expires_on'), ['expires_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_ndas_status'), ['status'], unique=False)

    op.create_table('nda_disclosures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nda_id', sa.Integer(), nullable=False),
    sa.Column('disclosed_on', sa.Date(), nullable=False),
    sa.Column('direction', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('classification', sa.String(length=30), nullable=False),
    sa.Column('disclosed_by', sa.String(length=200), nullable=False),
    sa.Column('disclosed_to_contact_id', sa.Integer(), nullable=True),
    sa.Column('disclosed_to', sa.String(length=200), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("classification IN ('public', 'internal', 'confidential', 'strictly_confidential', 'export_controlled')", name=op.f('ck_nda_disclosures_classification_known')),
    sa.CheckConstraint("direction IN ('to_partner', 'from_partner')", name=op.f('ck_nda_disclosures_direction_known')),
    sa.ForeignKeyConstraint(['disclosed_to_contact_id'], ['contacts.id'], name=op.f('fk_nda_disclosures_disclosed_to_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['nda_id'], ['ndas.id'], name=op.f('fk_nda_disclosures_nda_id_ndas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_nda_disclosures_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nda_disclosures'))
    )
    with op.batch_alter_table('nda_disclosures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nda_disclosures_disclosed_to_contact_id'), ['disclosed_to_contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nda_disclosures_nda_id'), ['nda_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nda_disclosures_recorded_by_id'), ['recorded_by_id'], unique=False)

    with op.batch_alter_table('research_seeds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tech_fields', sa.String(length=400), nullable=True))


def downgrade():
    with op.batch_alter_table('research_seeds', schema=None) as batch_op:
        batch_op.drop_column('tech_fields')

    with op.batch_alter_table('nda_disclosures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nda_disclosures_recorded_by_id'))
        batch_op.drop_index(batch_op.f('ix_nda_disclosures_nda_id'))
        batch_op.drop_index(batch_op.f('ix_nda_disclosures_disclosed_to_contact_id'))

    op.drop_table('nda_disclosures')
    with op.batch_alter_table('ndas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ndas_status'))
        batch_op.drop_index(batch_op.f('ix_ndas_expires_on'))
        batch_op.drop_index(batch_op.f('ix_ndas_company_id'))
        batch_op.drop_index(batch_op.f('ix_ndas_collaboration_id'))

    op.drop_table('ndas')
    with op.batch_alter_table('collaboration_signoffs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collaboration_signoffs_signed_by_id'))
        batch_op.drop_index(batch_op.f('ix_collaboration_signoffs_collaboration_id'))

    op.drop_table('collaboration_signoffs')
    with op.batch_alter_table('collaboration_seeds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collaboration_seeds_seed_id'))

    op.drop_table('collaboration_seeds')
    with op.batch_alter_table('collaboration_researchers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collaboration_researchers_researcher_id'))

    op.drop_table('collaboration_researchers')
    with op.batch_alter_table('collaboration_minutes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collaboration_minutes_collaboration_id'))
        batch_op.drop_index(batch_op.f('ix_collaboration_minutes_author_id'))

    op.drop_table('collaboration_minutes')
    with op.batch_alter_table('collaboration_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collaboration_checks_collaboration_id'))
        batch_op.drop_index(batch_op.f('ix_collaboration_checks_checked_by_id'))

    op.drop_table('collaboration_checks')
    with op.batch_alter_table('collaborations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collaborations_stage'))
        batch_op.drop_index(batch_op.f('ix_collaborations_opened_on'))
        batch_op.drop_index(batch_op.f('ix_collaborations_officer_id'))
        batch_op.drop_index(batch_op.f('ix_collaborations_conflicts_reviewed_by_id'))
        batch_op.drop_index(batch_op.f('ix_collaborations_company_id'))

    op.drop_table('collaborations')
