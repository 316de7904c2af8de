"""Indexes the list pages walk on the large demo: the alumni list's default order (reading,
else name: an expression index) and its graduation years (the year filter and its choices);
the team view's open tasks (a few hundred among tens of thousands done); the currencies of
company donations the company and contact lists offer as a filter; the seeds', the
companies' and the contacts' last change (the seed list's default order, the lists' sort by
it and the duplicates page's max()).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-08
"""
import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_alumni_graduation_year', 'alumni', ['graduation_year'])
    op.create_index('ix_alumni_sort_name', 'alumni',
                    [sa.text('coalesce(family_name_reading, family_name)'), 'id'])
    op.create_index('ix_tasks_status_due', 'tasks', ['status', 'due_on'])
    op.create_index('ix_donations_currency_company', 'donations', ['currency', 'company_id'])
    op.create_index('ix_research_seeds_updated_at', 'research_seeds', ['updated_at'])
    op.create_index('ix_companies_updated_at', 'companies', ['updated_at'])
    op.create_index('ix_contacts_updated_at', 'contacts', ['updated_at'])


def downgrade():
    op.drop_index('ix_contacts_updated_at', table_name='contacts')
    op.drop_index('ix_companies_updated_at', table_name='companies')
    op.drop_index('ix_research_seeds_updated_at', table_name='research_seeds')
    op.drop_index('ix_donations_currency_company', table_name='donations')
    op.drop_index('ix_tasks_status_due', table_name='tasks')
    op.drop_index('ix_alumni_sort_name', table_name='alumni')
    op.drop_index('ix_alumni_graduation_year', table_name='alumni')
