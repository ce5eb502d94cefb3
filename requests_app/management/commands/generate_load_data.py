"""Fill a database with invented inquiries for benchmarks and load tests (requests_app/benchmark/generator.py)."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from requests_app.benchmark.generator import LoadPlan, generate
from requests_app.benchmark.marker import RealDataError


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Give the day as YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Add N invented inquiries with five years of history (organisations, contacts, staff, events, messages, "
        "outcomes, follow-ups) by bulk inserts. Refuses a database holding data that was not generated, unless "
        "--force. Use a database of its own: DATABASE_URL=sqlite:///var/bench/bench.sqlite3."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--inquiries", type=int, required=True, help="How many inquiries to add.")
        parser.add_argument("--seed", type=int, default=1, help="The same seed (and day) gives the same data.")
        parser.add_argument(
            "--until", type=_day, default=None, help="The history ends at the start of this day (default: today)."
        )
        parser.add_argument(
            "--force", action="store_true", help="Add load data even to a database that holds real data."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["inquiries"] < 1:
            raise CommandError("--inquiries must be at least 1.")
        plan = LoadPlan(inquiries=options["inquiries"], seed=options["seed"], until=options["until"])
        self.stdout.write(f"Generating {plan.inquiries:,} inquiries on {connection.vendor} (seed {plan.seed}) …")
        try:
            result = generate(plan, force=options["force"], progress=self.stdout.write)
        except RealDataError as error:
            raise CommandError(str(error)) from None
        # Fresh statistics for the query planner, as autovacuum (PostgreSQL) or a nightly ANALYZE would keep them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        summary = ", ".join(f"{count:,} {name.replace('_', '-')}" for name, count in result.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Done in {result.seconds:.1f} s: {summary}."))
