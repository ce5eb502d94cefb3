"""Indexes for the inbox, the unit queue and the inquiry page at scale.

Each ends with what the lists sort by or count, so that a page's ids and the views' counts are read from the index
alone (selectors.rows_of_page, selectors.counts_up_to); inquiry_open_owner holds only the open inquiries (the
unassigned and mine views and the workload, at a million inquiries on PostgreSQL). The two they replace are their
leading columns, so every query that used those still finds its index; the new ones are made before the old ones are
dropped.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0013_search")]

    operations = [
        migrations.AddIndex(
            model_name="inquiry",
            index=models.Index(fields=["unit", "status", "received_at"], name="inquiry_unit_status_received"),
        ),
        migrations.AddIndex(
            model_name="inquiry",
            index=models.Index(
                fields=["status", "decision_due_on", "first_reply_due_on", "first_replied_at", "owner"],
                name="inquiry_status_due_dates",
            ),
        ),
        migrations.AddIndex(
            model_name="inquiry",
            index=models.Index(fields=["inquiry_type", "status", "received_at"], name="inquiry_type_status_received"),
        ),
        migrations.AddIndex(
            model_name="inquiry",
            index=models.Index(
                fields=["owner", "status"],
                condition=models.Q(status__in=["received", "in_triage", "routed", "in_progress", "awaiting_partner"]),
                name="inquiry_open_owner",
            ),
        ),
        migrations.RemoveIndex(model_name="inquiry", name="inquiry_unit_status"),
        migrations.RemoveIndex(model_name="inquiry", name="inquiry_status_decision_due"),
    ]
