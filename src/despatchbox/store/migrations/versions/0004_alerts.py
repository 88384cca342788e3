"""alerts: subscriptions, what each was sent, sign-up attempts

Revision ID: 0004
Revises: 0001

``alert_deliveries`` has UNIQUE (alert_id, item_key): an item is recorded as sent
to an alert once and only once (see ``despatchbox.alerts.identity``).
"""
from alembic import op
import sqlalchemy as sa


revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.Column("filters", sa.Text(), nullable=True),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_batch", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_token", sa.String(length=40), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_alerts_email", "alerts", ["email"])
    op.create_index("ix_alerts_kind_target", "alerts", ["kind", "target"])

    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=200), nullable=False),
        sa.Column("item_type", sa.String(length=10), nullable=False),
        sa.Column("record_kind", sa.String(length=40), nullable=False),
        sa.Column("item_date", sa.Date(), nullable=False),
        sa.Column("gid", sa.String(length=120), nullable=False),
        sa.Column("speaker_key", sa.String(length=200), nullable=True),
        sa.Column("sketch", sa.Text(), nullable=True),
        sa.Column("via", sa.String(length=10), nullable=False, server_default="sent"),
        sa.Column("message_id", sa.String(length=250), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("alert_id", "item_key", name="uq_alert_deliveries_alert_item"),
    )
    op.create_index("ix_alert_deliveries_alert_date", "alert_deliveries", ["alert_id", "item_date"])

    op.create_table(
        "alert_signups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("remote_addr", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_alert_signups_email_created", "alert_signups", ["email", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_alert_signups_email_created", table_name="alert_signups")
    op.drop_table("alert_signups")
    op.drop_index("ix_alert_deliveries_alert_date", table_name="alert_deliveries")
    op.drop_table("alert_deliveries")
    op.drop_index("ix_alerts_kind_target", table_name="alerts")
    op.drop_index("ix_alerts_email", table_name="alerts")
    op.drop_table("alerts")
