"""initial schema: hall, services, counters, staff, queue

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "halls",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_halls")),
        sa.UniqueConstraint("code", name=op.f("uq_halls_code")),
    )
    op.create_table(
        "services",
        sa.Column("hall_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("prefix", sa.String(length=1), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("priority_weight", sa.Integer(), nullable=False),
        sa.Column("wait_threshold_min", sa.Integer(), nullable=False),
        sa.Column("default_service_s", sa.Integer(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["hall_id"], ["halls.id"], name=op.f("fk_services_hall_id_halls")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services")),
        sa.UniqueConstraint("hall_id", "code", name=op.f("uq_services_hall_id")),
        sa.UniqueConstraint("hall_id", "prefix", name="uq_services_hall_prefix"),
    )
    op.create_table(
        "staff",
        sa.Column("hall_id", sa.Uuid(), nullable=True),
        sa.Column("job_number", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["hall_id"], ["halls.id"], name=op.f("fk_staff_hall_id_halls")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("job_number", name=op.f("uq_staff_job_number")),
    )
    op.create_table(
        "ticket_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("hall_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("display_number", sa.String(length=8), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=True),
        sa.Column("counter_number", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name=op.f("fk_ticket_events_hall_id_halls")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_events")),
    )
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_events_hall", ["hall_id", "id"], unique=False)

    op.create_table(
        "counters",
        sa.Column("hall_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("transfer_service_id", sa.Uuid(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["hall_id"], ["halls.id"], name=op.f("fk_counters_hall_id_halls")),
        sa.ForeignKeyConstraint(
            ["transfer_service_id"],
            ["services.id"],
            name=op.f("fk_counters_transfer_service_id_services"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counters")),
        sa.UniqueConstraint("hall_id", "number", name=op.f("uq_counters_hall_id")),
    )
    op.create_table(
        "ticket_series",
        sa.Column("hall_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("dispenser", sa.String(length=16), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name=op.f("fk_ticket_series_hall_id_halls")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_ticket_series_service_id_services")
        ),
        sa.PrimaryKeyConstraint(
            "hall_id", "service_id", "business_date", "dispenser", name=op.f("pk_ticket_series")
        ),
    )
    op.create_table(
        "counter_services",
        sa.Column("counter_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counters.id"], name=op.f("fk_counter_services_counter_id_counters")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_counter_services_service_id_services")
        ),
        sa.PrimaryKeyConstraint("counter_id", "service_id", name=op.f("pk_counter_services")),
    )
    op.create_table(
        "counter_sessions",
        sa.Column("counter_id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counters.id"], name=op.f("fk_counter_sessions_counter_id_counters")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_counter_sessions_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counter_sessions")),
    )
    with op.batch_alter_table("counter_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_counter_sessions_open", ["counter_id", "ended_at"], unique=False)
        batch_op.create_index(
            "uq_counter_sessions_open_counter",
            ["counter_id"],
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )
        batch_op.create_index(
            "uq_counter_sessions_open_staff",
            ["staff_id"],
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )

    op.create_table(
        "tickets",
        sa.Column("hall_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("prefix", sa.String(length=1), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("dispenser", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("queue_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("serving_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counter_id", sa.Uuid(), nullable=True),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("recall_count", sa.Integer(), nullable=False),
        sa.Column("origin_id", sa.Uuid(), nullable=True),
        sa.Column("previous_id", sa.Uuid(), nullable=True),
        sa.Column("transfers", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["counter_id"], ["counters.id"], name=op.f("fk_tickets_counter_id_counters")
        ),
        sa.ForeignKeyConstraint(["hall_id"], ["halls.id"], name=op.f("fk_tickets_hall_id_halls")),
        sa.ForeignKeyConstraint(
            ["previous_id"], ["tickets.id"], name=op.f("fk_tickets_previous_id_tickets")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_tickets_service_id_services")
        ),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_tickets_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tickets_counter_open",
            ["counter_id", "status"],
            unique=False,
            sqlite_where=sa.text("counter_id IS NOT NULL"),
            postgresql_where=sa.text("counter_id IS NOT NULL"),
        )
        batch_op.create_index("ix_tickets_hall_day", ["hall_id", "business_date"], unique=False)
        batch_op.create_index(
            "ix_tickets_waiting",
            [
                "hall_id",
                "service_id",
                "business_date",
                sa.text("priority DESC"),
                "queue_at",
                "number",
            ],
            unique=False,
            sqlite_where=sa.text("status = 'waiting'"),
            postgresql_where=sa.text("status = 'waiting'"),
        )
        batch_op.create_index(
            "ix_tickets_done",
            ["hall_id", "service_id", "finished_at"],
            unique=False,
            sqlite_where=sa.text("status = 'done'"),
            postgresql_where=sa.text("status = 'done'"),
        )
        batch_op.create_index(
            "uq_tickets_number",
            ["hall_id", "business_date", "prefix", "number"],
            unique=True,
            sqlite_where=sa.text("previous_id IS NULL"),
            postgresql_where=sa.text("previous_id IS NULL"),
        )

    op.create_table(
        "counter_pauses",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["counter_sessions.id"],
            name=op.f("fk_counter_pauses_session_id_counter_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counter_pauses")),
    )


def downgrade() -> None:

    op.drop_table("counter_pauses")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_tickets_number",
            sqlite_where=sa.text("previous_id IS NULL"),
            postgresql_where=sa.text("previous_id IS NULL"),
        )
        batch_op.drop_index(
            "ix_tickets_done",
            sqlite_where=sa.text("status = 'done'"),
            postgresql_where=sa.text("status = 'done'"),
        )
        batch_op.drop_index(
            "ix_tickets_waiting",
            sqlite_where=sa.text("status = 'waiting'"),
            postgresql_where=sa.text("status = 'waiting'"),
        )
        batch_op.drop_index("ix_tickets_hall_day")
        batch_op.drop_index(
            "ix_tickets_counter_open",
            sqlite_where=sa.text("counter_id IS NOT NULL"),
            postgresql_where=sa.text("counter_id IS NOT NULL"),
        )

    op.drop_table("tickets")
    with op.batch_alter_table("counter_sessions", schema=None) as batch_op:
        batch_op.drop_index("uq_counter_sessions_open_staff")
        batch_op.drop_index("uq_counter_sessions_open_counter")
        batch_op.drop_index("ix_counter_sessions_open")

    op.drop_table("counter_sessions")
    op.drop_table("counter_services")
    op.drop_table("ticket_series")
    op.drop_table("counters")
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_events_hall")

    op.drop_table("ticket_events")
    op.drop_table("staff")
    op.drop_table("services")
    op.drop_table("halls")
