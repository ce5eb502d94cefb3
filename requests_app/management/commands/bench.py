"""Measure the portal's pages on the current database (requests_app/benchmark/): queries, p50 and p95 time."""

import json
import secrets
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from requests_app.benchmark import pages, runner
from requests_app.benchmark.marker import real_data_found
from requests_app.models import Inquiry


class Command(BaseCommand):
    help = (
        "Measure each page warm and in-process (test client, real middleware and templates): SQL queries, median "
        "and 95th percentile server time, and the CSV export's peak memory growth. Meant for a database filled by "
        "generate_load_data (make bench); pages not built yet are reported as missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--pages",
            nargs="+",
            default=None,
            help="Pages to measure, by name, separated by commas or spaces (default: all): "
            + ", ".join(pages.PAGE_NAMES),
        )
        parser.add_argument("--reps", type=int, default=20, help="Timed requests per page (default 20).")
        parser.add_argument("--warmup", type=int, default=3, help="Untimed requests per page first (default 3).")
        parser.add_argument("--json", dest="json_file", default=None, help="Also write the results to this file.")
        parser.add_argument(
            "--check-targets", action="store_true", help="Say which of issue #9's targets each page meets."
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even on a database holding data that was not generated."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        names = self._page_names(options["pages"])
        if options["reps"] < 1 or options["warmup"] < 1:
            raise CommandError("--reps and --warmup must be at least 1.")
        found = real_data_found()
        if found and not options["force"]:
            raise CommandError(
                "The database holds data that was not generated (" + ", ".join(found) + "). The bench adds "
                "inquiries, logins and events; run it on a generated database (make bench), or use --force."
            )
        inquiries = Inquiry.objects.count()
        if not inquiries:
            raise CommandError("The database has no inquiries: run generate_load_data first.")
        with runner.bench_environment():
            data = pages.prepare(run=secrets.token_hex(4))
            self.stdout.write(
                f"{inquiries:,} inquiries on {connection.vendor}: {options['reps']} timed requests per page "
                f"after {options['warmup']} warm-up requests."
            )
            results = runner.run(data, names, reps=options["reps"], warmup=options["warmup"])
        label, targets = pages.targets_for(connection.vendor)
        self.stdout.write(
            runner.table(results, check_targets=options["check_targets"], targets=targets, targets_label=label)
        )
        if options["json_file"]:
            path = Path(options["json_file"])
            path.parent.mkdir(parents=True, exist_ok=True)
            document = runner.as_json(results, inquiries=inquiries)
            path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            self.stdout.write(f"Written to {path}.")

    def _page_names(self, given: list[str] | None) -> list[str]:
        if not given:
            return list(pages.PAGE_NAMES)
        names = [name.strip() for value in given for name in value.split(",") if name.strip()]
        unknown = sorted(set(names) - set(pages.PAGE_NAMES))
        if unknown:
            raise CommandError(f"Unknown pages: {', '.join(unknown)}. Choose from: {', '.join(pages.PAGE_NAMES)}.")
        return names
