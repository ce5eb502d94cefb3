"""Indexes for the summary dashboard and the UNECE report at scale, and the snapshots of large periods' figures.

Each index holds every column that the summaries' counts of a period read, so that a year of inquiries or outcomes
is counted from the index alone, without reading the table (requests_app/summaries/). A period too large to count
on every visit is counted in the background and kept as a SummarySnapshot (requests_app/services/figures.py).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0014_list_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="inquiry",
            index=models.Index(
                fields=[
                    "received_at",
                    "status",
                    "inquiry_type",
                    "organisation",
                    "unit",
                    "suggestion_accepted",
                    "first_reply_due_on",
                    "first_replied_at",
                    "decided_at",
                    "id",
                ],
                name="inquiry_received_figures",
            ),
        ),
        migrations.AddIndex(
            model_name="inquiry",
            index=models.Index(fields=["status", "received_at"], name="inquiry_status_received"),
        ),
        migrations.AddIndex(
            model_name="inquiry",
            index=models.Index(fields=["decided_at", "status"], name="inquiry_decided_figures"),
        ),
        migrations.AddIndex(
            model_name="outcome",
            index=models.Index(fields=["decided_on", "type", "funding_nok"], name="outcome_decided_figures"),
        ),
        migrations.AddIndex(
            model_name="outcome",
            index=models.Index(fields=["type", "decided_on", "partnership_ended_on"], name="outcome_partnerships"),
        ),
        migrations.CreateModel(
            name="SummarySnapshot",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("period_kind", models.CharField(max_length=8, verbose_name="kind of period")),
                ("first", models.DateField(verbose_name="first day")),
                ("last", models.DateField(verbose_name="last day")),
                ("figures", models.JSONField(verbose_name="figures")),
                ("inquiries", models.PositiveIntegerField(verbose_name="inquiries counted")),
                ("counted_at", models.DateTimeField(verbose_name="counted")),
                ("viewed_at", models.DateTimeField(verbose_name="last shown")),
            ],
            options={
                "verbose_name": "summary snapshot",
                "verbose_name_plural": "summary snapshots",
                "constraints": [
                    models.UniqueConstraint(fields=("period_kind", "first", "last"), name="summary_snapshot_period")
                ],
            },
        ),
    ]
