"""Remove the personal data of finished inquiries past their retention period (as the nightly task does)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from requests_app.services.retention import apply_retention


class Command(BaseCommand):
    help = (
        "Remove the personal data of finished inquiries whose retention period has run out (see "
        "requests_app/retention.py), skipping those on hold, and print the counts per rule."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Change nothing; print what would be removed.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = apply_retention(now=timezone.now(), dry_run=options["dry_run"])
        for line in report.lines():
            self.stdout.write(line)
        for reference in report.references:
            self.stdout.write(f"  {reference}")
