"""The yearly UNECE report: its figures against a hand-computed year, the page, JSON and XLSX agreeing, the PDF made
in the background with its progress, and who may see any of it."""

import datetime
import io
import json
import zipfile
from html.parser import HTMLParser
from typing import Any
from unittest import mock
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pypdf
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from partners.models import Organisation
from requests_app.models import AccessLogEntry, FollowUp, Inquiry, Outcome, ReportHighlight, ReportRun, SdgGoal
from requests_app.services.reports import (
    PDF_STATIC_BASE,
    _static_file_response,
    render_report_run,
    report_html,
    start_report_run,
)
from requests_app.summaries.report import REFERENCE_LIMIT, build_report
from tests.base import PortalTestCase
from tests.factories import make_contact, make_inquiry, make_organisation

OSLO = ZoneInfo("Europe/Oslo")
S = Inquiry.Status
T = Outcome.Type
# "Now" for the figures: the report of 2025, made in March 2026.
NOW = datetime.datetime(2026, 3, 15, 12, 0, tzinfo=OSLO)
HIGHLIGHT_TEXT = "Trondheim and the harbour authority agreed to run the city ferries on batteries from 2027."
XLSX_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def oslo(year: int, month: int, day: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=OSLO)


def goals(*numbers: int) -> list[SdgGoal]:
    return list(SdgGoal.objects.filter(number__in=numbers))


def outcome(inquiry: Inquiry, type: str, decided_on: datetime.date, **fields: Any) -> Outcome:
    targets = fields.pop("sdg_targets", [])
    row = Outcome.objects.create(
        inquiry=inquiry, type=type, decided_on=decided_on, recorded_at=oslo(decided_on.year, 1, 1), **fields
    )
    row.sdg_targets.set(targets)
    return row


class ReportYearTestCase(PortalTestCase):
    """A year (2025) whose figures are counted by hand in the comments below."""

    ferry: Inquiry
    solar: Inquiry
    untagged: Inquiry
    overdue: Inquiry
    new_year: Inquiry
    old_year: Inquiry
    ferry_outcome: Outcome

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        municipality = make_organisation(name="Bodø kommune", kind=Organisation.Kind.MUNICIPALITY, country="NO")
        company = make_organisation(name="Solkraft AB", kind=Organisation.Kind.COMPANY, country="SE")
        research = make_organisation(name="Klima-Institut", kind=Organisation.Kind.RESEARCH, country="DE")

        def received(org: Organisation, when: datetime.datetime, status: str, **fields: Any) -> Inquiry:
            return make_inquiry(contact=make_contact(organisation=org), received_at=when, status=status, **fields)

        # Received in 2025 and counted: the ferry, the solar pilot, the untagged one and the overdue one (4).
        cls.ferry = received(
            municipality,
            oslo(2025, 2, 10),
            S.CLOSED,
            sdg_goals=goals(11),
            sdg_targets=["11.2"],
            decided_at=oslo(2025, 3, 1),
            closed_at=oslo(2025, 3, 2),
        )
        cls.solar = received(
            company,
            oslo(2025, 5, 5),
            S.DECIDED,
            sdg_goals=goals(7, 11),
            sdg_targets=["7.2"],
            decided_at=oslo(2025, 6, 10),
        )
        cls.untagged = received(company, oslo(2025, 7, 1), S.CLOSED, decided_at=oslo(2025, 8, 1))
        cls.overdue = received(
            research,
            oslo(2025, 9, 1),
            S.IN_PROGRESS,
            sdg_goals=goals(13),
            decision_due_on=datetime.date(2025, 10, 1),
            first_replied_at=oslo(2025, 9, 2),
        )
        # Not counted: spam, and a duplicate.
        received(company, oslo(2025, 4, 1), S.SPAM, sdg_goals=goals(11))
        received(company, oslo(2025, 4, 2), S.DUPLICATE, sdg_goals=goals(11), duplicate_of=cls.solar)
        # 23:30 UTC on 31 December 2025 is 00:30 on 1 January 2026 in Trondheim; 22:30 UTC on 31 December 2024 is
        # still 2024 there.
        cls.new_year = received(
            municipality, datetime.datetime(2025, 12, 31, 23, 30, tzinfo=datetime.UTC), S.RECEIVED, sdg_goals=goals(11)
        )
        cls.old_year = received(
            municipality, datetime.datetime(2024, 12, 31, 22, 30, tzinfo=datetime.UTC), S.RECEIVED, sdg_goals=goals(3)
        )
        # Received in 2024, decided in January 2025 (an outcome of 2025), and two partnerships from 2024: one still
        # running at the end of 2025, one ended in June 2025.
        knowledge = received(research, oslo(2024, 11, 1), S.CLOSED, sdg_goals=goals(4), decided_at=oslo(2025, 1, 15))
        joint = received(research, oslo(2024, 3, 1), S.DECIDED, sdg_goals=goals(13), decided_at=oslo(2024, 5, 1))
        ended = received(research, oslo(2024, 1, 10), S.DECIDED, decided_at=oslo(2024, 2, 1))

        # Outcomes decided in 2025: agreement, pilot, knowledge shared (3); NOK 500 000 + 1 000 000.
        cls.ferry_outcome = outcome(
            cls.ferry,
            T.AGREEMENT,
            datetime.date(2025, 3, 1),
            funding_nok=500_000,
            sdg_targets=["11.2"],
            partnership_ended_on=datetime.date(2026, 2, 1),
        )
        outcome(cls.solar, T.PILOT, datetime.date(2025, 6, 10), funding_nok=1_000_000, sdg_targets=["7.2"])
        outcome(knowledge, T.KNOWLEDGE_SHARED, datetime.date(2025, 1, 15), sdg_targets=["4.7"])
        outcome(joint, T.JOINT_PROJECT, datetime.date(2024, 5, 1), sdg_targets=["13.2"])
        outcome(ended, T.AGREEMENT, datetime.date(2024, 2, 1), partnership_ended_on=datetime.date(2025, 6, 30))
        # The ferry's follow-ups: the one of November 2025 is its latest in the year; the one of 2026 is not.
        for recorded_at, status, results, areas in (
            (oslo(2025, 6, 1), FollowUp.CollaborationStatus.ONGOING, "Tender published.", ["economy"]),
            (
                oslo(2025, 11, 1),
                FollowUp.CollaborationStatus.DELAYED,
                "Two ferries ordered; delivery delayed to 2027.",
                ["environment", "economy"],
            ),
            (oslo(2026, 2, 1), FollowUp.CollaborationStatus.COMPLETED, "Done.", []),
        ):
            FollowUp.objects.create(
                outcome=cls.ferry_outcome,
                collaboration_status=status,
                results=results,
                u4ssc_areas=areas,
                recorded_at=recorded_at,
            )
        ReportHighlight.objects.create(inquiry=cls.ferry, year=2025, text=HIGHLIGHT_TEXT, created_at=oslo(2026, 1, 5))
        ReportHighlight.objects.create(inquiry=joint, year=2024, text="Last year's highlight.", created_at=NOW)


class ReportFiguresTests(ReportYearTestCase):
    def test_totals_are_the_hand_counted_ones(self) -> None:
        report = build_report(2025, now=NOW)
        self.assertEqual(report.year, 2025)
        totals = report.totals
        self.assertEqual(totals.received, 4)
        self.assertEqual(totals.decided, 4)  # the ferry, the solar pilot, the untagged one, the knowledge exchange
        self.assertEqual(totals.outcomes, 3)
        self.assertEqual(totals.active_partnerships, 3)  # the ferry, the solar pilot, the 2024 joint project
        self.assertEqual(totals.active_partnerships_on, datetime.date(2025, 12, 31))
        self.assertEqual(totals.funding_nok, 1_500_000)

    def test_every_goal_is_listed_with_its_english_name_and_zeros(self) -> None:
        report = build_report(2025, now=NOW)
        self.assertEqual([goal.number for goal in report.goals], list(range(1, 18)))
        by_number = {goal.number: (goal.inquiries, goal.outcomes) for goal in report.goals}
        self.assertEqual(by_number[11], (2, 2))
        self.assertEqual(by_number[7], (1, 1))
        self.assertEqual(by_number[13], (1, 0))
        self.assertEqual(by_number[4], (0, 1))
        self.assertEqual(by_number[3], (0, 0))  # the 2024 inquiry
        self.assertEqual(sum(inquiries for inquiries, _ in by_number.values()), 4)
        self.assertEqual(report.goals[10].name, "Sustainable cities and communities")

    def test_targets_of_inquiries_and_of_outcomes_in_sdg_order(self) -> None:
        rows = [(row.code, row.goal, row.inquiries, row.outcomes) for row in build_report(2025, now=NOW).targets]
        self.assertEqual(rows, [("4.7", 4, 0, 1), ("7.2", 7, 1, 1), ("11.2", 11, 1, 1)])
        self.assertTrue(build_report(2025, now=NOW).targets[2].title.startswith("By 2030, provide access to safe"))

    def test_partner_types_countries_and_outcome_types(self) -> None:
        report = build_report(2025, now=NOW)
        types = {row.key: row.count for row in report.partner_types}
        self.assertEqual(len(types), len(Organisation.Kind))
        self.assertEqual((types["municipality"], types["company"], types["research"], types["ngo"]), (1, 2, 1, 0))
        self.assertEqual(
            [(row.key, row.label, row.count) for row in report.countries],
            [
                ("SE", "Sweden", 2),
                ("DE", "Germany", 1),
                ("NO", "Norway", 1),
            ],
        )
        outcomes = {row.key: row.count for row in report.outcome_types}
        self.assertEqual(len(outcomes), len(T))
        self.assertEqual((outcomes["agreement"], outcomes["pilot"], outcomes["knowledge_shared"]), (1, 1, 1))
        self.assertEqual(outcomes["joint_project"], 0)

    def test_partnerships_with_targets_and_the_latest_follow_up_of_the_year(self) -> None:
        partnerships = build_report(2025, now=NOW).partnerships
        self.assertEqual(
            [row.outcome for row in partnerships],
            ["Joint project started", "Agreement or MoU signed", "Pilot or test bed agreed"],
        )
        ferry = partnerships[1]
        self.assertEqual(
            (ferry.reference, ferry.organisation, ferry.organisation_type),
            (self.ferry.reference, "Bodø kommune", "Municipality"),
        )
        self.assertEqual([target.code for target in ferry.sdg_targets], ["11.2"])
        assert ferry.follow_up is not None
        self.assertEqual(ferry.follow_up.status_label, "Ongoing, delayed")
        self.assertEqual(ferry.follow_up.results, "Two ferries ordered; delivery delayed to 2027.")
        self.assertEqual(ferry.follow_up.u4ssc_areas, ("Environment", "Economy"))
        self.assertEqual(ferry.follow_up.recorded_on, datetime.date(2025, 11, 1))
        self.assertIsNone(partnerships[2].follow_up)

    def test_highlights_of_the_year_only(self) -> None:
        (highlight,) = build_report(2025, now=NOW).highlights
        self.assertEqual(
            (highlight.reference, highlight.organisation, highlight.text),
            (self.ferry.reference, "Bodø kommune", HIGHLIGHT_TEXT),
        )
        self.assertEqual(
            [(goal.number, goal.name) for goal in highlight.sdg_goals], [(11, "Sustainable cities and communities")]
        )

    def test_data_quality_flags(self) -> None:
        flags = {flag.key: flag for flag in build_report(2025, now=NOW).quality_flags}
        self.assertEqual(list(flags), ["without_sdg_tags", "finished_without_outcome", "overdue"])
        self.assertEqual(
            (flags["without_sdg_tags"].count, flags["without_sdg_tags"].references), (1, (self.untagged.reference,))
        )
        self.assertEqual(flags["finished_without_outcome"].references, (self.untagged.reference,))
        self.assertEqual((flags["overdue"].count, flags["overdue"].references), (1, (self.overdue.reference,)))

    def test_the_year_ends_at_midnight_in_trondheim(self) -> None:
        self.assertTrue(self.new_year.reference.startswith("2026-"))
        report_2026 = build_report(2026, now=NOW)
        self.assertEqual(report_2026.totals.received, 1)
        self.assertEqual({goal.number: goal.inquiries for goal in report_2026.goals}[11], 1)
        report_2024 = build_report(2024, now=NOW)
        self.assertEqual({goal.number: goal.inquiries for goal in report_2024.goals}[3], 1)
        self.assertNotIn(self.new_year.reference, json.dumps(build_report(2025, now=NOW).as_json()))

    def test_the_year_under_way_counts_partnerships_on_today(self) -> None:
        report = build_report(2026, now=NOW)
        self.assertFalse(report.is_complete)
        self.assertEqual(report.totals.active_partnerships_on, datetime.date(2026, 3, 15))
        # The ferry ended on 1 February 2026; the solar pilot and the joint project run on.
        self.assertEqual(report.totals.active_partnerships, 2)

    def test_an_empty_year_has_zeros_and_says_nothing_was_recorded(self) -> None:
        report = build_report(2019, now=NOW)
        self.assertTrue(report.is_empty)
        self.assertEqual((report.totals.received, report.totals.outcomes, report.totals.funding_nok), (0, 0, 0))
        self.assertEqual(len(report.goals), 17)
        self.assertTrue(all(goal.inquiries == goal.outcomes == 0 for goal in report.goals))
        self.assertEqual((report.targets, report.countries, report.partnerships, report.highlights), ((), (), (), ()))
        self.assertEqual([flag.count for flag in report.quality_flags], [0, 0, 0])
        self.client.force_login(self.amina)
        with mock.patch("django.utils.timezone.now", return_value=NOW):
            page = self.client.get("/en/staff/reports/unece/2019/").content.decode()
        for text in (
            "Nothing was recorded for 2019",
            "No SDG targets were tagged",
            "No inquiries were received in the year",
            "No active partnerships were recorded.",
            "No highlights were chosen for the year.",
        ):
            self.assertIn(text, page)

    def test_a_fixed_number_of_queries_for_few_and_many_inquiries(self) -> None:
        # 2022: one of each; 2023: many of each. Both years have partnerships, follow-ups and highlights.
        for year, count in ((2022, 1), (2023, 12)):
            organisation = make_organisation()
            for number in range(count):
                inquiry = make_inquiry(
                    contact=make_contact(organisation=organisation),
                    received_at=oslo(year, 3, 1 + number),
                    status=S.DECIDED if number % 2 else S.IN_PROGRESS,
                    decided_at=oslo(year, 4, 1),
                    decision_due_on=datetime.date(year, 4, 1),
                    sdg_goals=goals(number % 17 + 1),
                    sdg_targets=["11.2", "7.2"][: number % 3],
                )
                result = outcome(
                    inquiry, T.JOINT_PROJECT, datetime.date(year, 5, 1), sdg_targets=["13.2"], funding_nok=10
                )
                FollowUp.objects.create(
                    outcome=result, collaboration_status="ongoing", results="Fine.", recorded_at=oslo(year, 6, 1)
                )
                ReportHighlight.objects.create(inquiry=inquiry, year=year, text="A highlight.", created_at=NOW)
        counts = []
        for year in (2022, 2023):
            with CaptureQueriesContext(connection) as queries:
                build_report(year, now=NOW)
            counts.append(len(queries))
        self.assertEqual(counts[0], counts[1])
        with self.assertNumQueries(counts[0]):
            report = build_report(2023, now=NOW)
        self.assertEqual(report.totals.received, 12)
        self.assertEqual(counts[0], 18)

    def test_flags_list_at_most_the_limit_with_the_full_count(self) -> None:
        organisation = make_organisation()
        for number in range(REFERENCE_LIMIT + 2):
            make_inquiry(
                contact=make_contact(organisation=organisation),
                received_at=oslo(2021, 2, 1) + datetime.timedelta(hours=number),
            )
        (untagged, _finished, _overdue) = build_report(2021, now=NOW).quality_flags
        self.assertEqual(
            (untagged.count, len(untagged.references), untagged.not_listed), (REFERENCE_LIMIT + 2, REFERENCE_LIMIT, 2)
        )


class TableParser(HTMLParser):
    """The cells (text) of each table on a page, by the table's id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def page_tables(content: bytes) -> dict[str, list[list[str]]]:
    parser = TableParser()
    parser.feed(content.decode())
    return {name: rows[1:] for name, rows in parser.tables.items()}  # without the heading row


def xlsx_sheets(content: bytes) -> dict[str, list[list[str]]]:
    """Every sheet of the workbook by name, as rows of cell texts (XlsxWriter writes shared strings)."""
    sheets: dict[str, list[list[str]]] = {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        # Our own export, not untrusted input.
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
        shared_xml = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))  # noqa: S314
        shared = ["".join(t.text or "" for t in si.iter(f"{{{XLSX_NS['m']}}}t")) for si in shared_xml]
        for index, sheet in enumerate(workbook.iterfind("m:sheets/m:sheet", XLSX_NS), start=1):
            xml = ElementTree.fromstring(archive.read(f"xl/worksheets/sheet{index}.xml"))  # noqa: S314
            rows = []
            for row in xml.iterfind("m:sheetData/m:row", XLSX_NS):
                cells = []
                for cell in row.iterfind("m:c", XLSX_NS):
                    value = cell.findtext("m:v", default="", namespaces=XLSX_NS)
                    cells.append(shared[int(value)] if cell.get("t") == "s" else value)
                rows.append(cells)
            sheets[sheet.get("name", "")] = rows
    return sheets


class ReportPageAndExportTests(ReportYearTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.amina)
        patcher = mock.patch("django.utils.timezone.now", return_value=NOW)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_latest_goes_to_the_previous_calendar_year(self) -> None:
        response = self.client.get("/en/staff/reports/unece/")
        self.assertRedirects(response, "/en/staff/reports/unece/2025/", fetch_redirect_response=False)

    def test_the_report_is_in_english_inside_a_norwegian_page(self) -> None:
        response = self.client.get("/staff/reports/unece/2025/")
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn('<html lang="nb">', page)
        self.assertIn('<div class="report" lang="en">', page)
        self.assertIn("Activity by SDG goal", page)
        self.assertIn("11. Sustainable cities and communities", page)
        self.assertIn("Municipality", page)  # the kind of organisation, in English
        self.assertIn(HIGHLIGHT_TEXT, page)

    def test_year_picker_lists_the_years_with_data_and_takes_any_other(self) -> None:
        page = self.client.get("/en/staff/reports/unece/2025/").content.decode()
        for year in (2024, 2025, 2026):
            self.assertIn(f'href="/en/staff/reports/unece/{year}/"', page)
        self.assertIn('href="/en/staff/reports/unece/2025/" aria-current="page"', page)
        response = self.client.get("/en/staff/reports/unece/2025/", {"year": "2019"})
        self.assertRedirects(response, "/en/staff/reports/unece/2019/", fetch_redirect_response=False)

    def test_a_bad_year_is_refused_with_a_message_and_kept(self) -> None:
        response = self.client.get("/en/staff/reports/unece/2025/", {"year": "1990"})
        self.assertEqual(response.status_code, 400)
        page = response.content.decode()
        self.assertIn("Choose a year from 2015 to 2026.", page)
        self.assertIn('value="1990"', page)
        response = self.client.get("/en/staff/reports/unece/2025/", {"year": "next"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("Enter a whole number.", response.content.decode())

    def test_years_outside_the_range_are_not_found(self) -> None:
        for year in (2014, 2027, 9999):
            for name in ("unece-report", "unece-report-json", "unece-report-xlsx"):
                with self.subTest(year=year, url=name):
                    response = self.client.get(reverse(f"requests_app:{name}", kwargs={"year": year}))
                    self.assertEqual(response.status_code, 404)
        self.assertEqual(self.client.post("/en/staff/reports/unece/2030/pdf/").status_code, 404)

    def test_the_page_answers_in_a_fixed_number_of_queries(self) -> None:
        with CaptureQueriesContext(connection) as few:
            self.client.get("/en/staff/reports/unece/2025/")
        organisation = make_organisation()
        for number in range(10):
            inquiry = make_inquiry(
                contact=make_contact(organisation=organisation),
                received_at=oslo(2025, 10, 1 + number),
                sdg_goals=goals(5),
            )
            outcome(inquiry, T.PILOT, datetime.date(2025, 10, 20), sdg_targets=["5.5"])
        with CaptureQueriesContext(connection) as many:
            self.client.get("/en/staff/reports/unece/2025/")
        self.assertEqual(len(few), len(many))

    def test_json_has_the_year_and_every_section_with_stable_keys(self) -> None:
        response = self.client.get("/en/staff/reports/unece/2025/report.json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="unece-report-2025.json"')
        document = json.loads(response.content)
        self.assertEqual(
            list(document),
            [
                "year",
                "generated_at",
                "period",
                "totals",
                "sdg_goals",
                "sdg_targets",
                "partner_types",
                "countries",
                "outcomes",
                "active_partnerships",
                "highlights",
                "data_quality",
            ],
        )
        self.assertEqual(document["year"], 2025)
        self.assertEqual(document["generated_at"], "2026-03-15T12:00:00+01:00")
        self.assertEqual(
            document["period"],
            {"first_day": "2025-01-01", "last_day": "2025-12-31", "time_zone": "Europe/Oslo", "complete": True},
        )
        self.assertEqual(
            document["totals"],
            {
                "received": 4,
                "decided": 4,
                "outcomes": 3,
                "active_partnerships": 3,
                "active_partnerships_on": "2025-12-31",
                "funding_nok": 1_500_000,
            },
        )
        self.assertEqual(
            document["sdg_goals"][10],
            {"number": 11, "name": "Sustainable cities and communities", "inquiries": 2, "outcomes": 2},
        )
        ferry = document["active_partnerships"][1]
        self.assertEqual(ferry["sdg_targets"][0]["code"], "11.2")
        self.assertEqual(ferry["follow_up"]["status"], "delayed")
        self.assertEqual(ferry["follow_up"]["u4ssc_areas"], ["Environment", "Economy"])
        self.assertEqual(document["highlights"][0]["text"], HIGHLIGHT_TEXT)
        self.assertEqual(
            document["data_quality"][2],
            {
                "key": "overdue",
                "label": "Overdue",
                "description": (
                    "Inquiries received in 2025 that are past their first-reply or decision date on 15 March 2026."
                ),
                "count": 1,
                "references": [self.overdue.reference],
                "references_not_listed": 0,
            },
        )

    def test_json_is_english_from_a_norwegian_page(self) -> None:
        document = json.loads(self.client.get("/staff/reports/unece/2025/report.json").content)
        self.assertEqual(document["outcomes"][0]["label"], "Agreement or MoU signed")
        self.assertEqual(document["countries"][0]["label"], "Sweden")

    def test_page_json_and_xlsx_show_the_same_numbers(self) -> None:
        page = page_tables(self.client.get("/en/staff/reports/unece/2025/").content)
        document = json.loads(self.client.get("/en/staff/reports/unece/2025/report.json").content)
        response = self.client.get("/en/staff/reports/unece/2025/report.xlsx")
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="unece-report-2025.xlsx"')
        sheets = xlsx_sheets(response.content)
        self.assertEqual(
            list(sheets),
            [
                "Report",
                "Totals",
                "SDG goals",
                "SDG targets",
                "Partner types",
                "Countries",
                "Outcomes",
                "Partnerships",
                "Highlights",
                "Data quality",
            ],
        )
        self.assertEqual(sheets["Report"][1], ["Year", "2025"])

        goals_json = [
            [f"{row['number']}. {row['name']}", str(row["inquiries"]), str(row["outcomes"])]
            for row in document["sdg_goals"]
        ]
        self.assertEqual(page["report-goals-table"], goals_json)
        self.assertEqual(sheets["SDG goals"][0], ["Goal", "Name", "Inquiries received", "Outcomes decided"])
        self.assertEqual([[f"{row[0]}. {row[1]}", row[2], row[3]] for row in sheets["SDG goals"][1:]], goals_json)

        targets_json = [
            [row["code"], row["title"], str(row["inquiries"]), str(row["outcomes"])] for row in document["sdg_targets"]
        ]
        self.assertEqual(page["report-targets-table"], targets_json)
        self.assertEqual([[row[0], row[2], row[3], row[4]] for row in sheets["SDG targets"][1:]], targets_json)

        for table, sheet, key in (
            ("report-types-table", "Partner types", "partner_types"),
            ("report-outcomes-table", "Outcomes", "outcomes"),
        ):
            expected = [[row["label"], str(row["count"])] for row in document[key]]
            self.assertEqual(page[table], expected, table)
            self.assertEqual(sheets[sheet][1:], expected, sheet)
        countries = [[row["label"], str(row["count"])] for row in document["countries"]]
        self.assertEqual(page["report-countries-table"], countries)
        self.assertEqual([row[1:] for row in sheets["Countries"][1:]], countries)

        totals = document["totals"]
        self.assertEqual([row[1] for row in page["report-totals"]], ["4", "4", "3", "3", "1,500,000"])
        self.assertEqual(
            [row[1] for row in sheets["Totals"][1:]],
            [str(totals[key]) for key in ("received", "decided", "outcomes", "active_partnerships", "funding_nok")],
        )
        self.assertEqual(page["report-quality-table"][0][1], str(document["data_quality"][0]["count"]))
        self.assertEqual(sheets["Data quality"][1], ["Without SDG tags", "1", self.untagged.reference])
        self.assertEqual(sheets["Highlights"][1][-1], HIGHLIGHT_TEXT)
        self.assertEqual(sheets["Partnerships"][2][0], self.ferry.reference)
        self.assertEqual(
            sheets["Partnerships"][2][9:],
            ["Ongoing, delayed", "Two ferries ordered; delivery delayed to 2027.", "Environment, Economy"],
        )

    def test_exports_are_in_the_access_log(self) -> None:
        self.client.get("/en/staff/reports/unece/2025/report.json")
        self.client.get("/en/staff/reports/unece/2025/report.xlsx")
        entries = AccessLogEntry.objects.order_by("pk").values_list("kind", "actor", "target", "row_count")
        self.assertEqual(
            list(entries),
            [
                (AccessLogEntry.Kind.INQUIRIES_EXPORTED, self.amina.pk, "unece-report-2025.json", 4),
                (AccessLogEntry.Kind.INQUIRIES_EXPORTED, self.amina.pk, "unece-report-2025.xlsx", 4),
            ],
        )

    def test_the_executive_and_administrators_see_it_too(self) -> None:
        for user in (self.dina, self.admin):
            self.client.force_login(user)
            with self.subTest(user=user.email):
                self.assertEqual(self.client.get("/en/staff/reports/unece/2025/").status_code, 200)

    def test_unit_members_and_partners_are_refused_and_anonymous_go_to_login(self) -> None:
        run = ReportRun.objects.create(year=2025, status=ReportRun.Status.DONE, progress=100)
        run.file.save("unece.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"))
        urls = [
            ("get", "/en/staff/reports/unece/"),
            ("get", "/en/staff/reports/unece/2025/"),
            ("get", "/en/staff/reports/unece/2025/report.json"),
            ("get", "/en/staff/reports/unece/2025/report.xlsx"),
            ("post", "/en/staff/reports/unece/2025/pdf/"),
            ("get", f"/en/staff/reports/runs/{run.pk}/"),
            ("get", f"/en/staff/reports/runs/{run.pk}/report.pdf"),
        ]
        for user in (self.bruno, self.partner):
            self.client.force_login(user)
            for method, url in urls:
                with self.subTest(user=user.email, url=url):
                    self.assertEqual(getattr(self.client, method)(url).status_code, 403)
        self.client.logout()
        with translation.override("en"):
            login = reverse("account_login")
        for method, url in urls:
            with self.subTest(url=url, user="anonymous"):
                response = getattr(self.client, method)(url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(login), response["Location"])
        self.assertEqual(ReportRun.objects.count(), 1)
        self.assertFalse(AccessLogEntry.objects.exists())


class ReportRunTests(ReportYearTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.amina)

    def test_the_pdf_is_made_in_the_background_and_opens(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post("/en/staff/reports/unece/2025/pdf/")
        run = ReportRun.objects.get()
        self.assertRedirects(response, f"/en/staff/reports/runs/{run.pk}/", fetch_redirect_response=False)
        self.assertEqual((run.status, run.progress, run.step, run.year), (ReportRun.Status.DONE, 100, "done", 2025))
        self.assertEqual(run.requested_by, self.amina)
        self.assertIsNotNone(run.finished_at)

        download = self.client.get(f"/en/staff/reports/runs/{run.pk}/report.pdf")
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download["Content-Type"], "application/pdf")
        self.assertEqual(download["Content-Disposition"], 'attachment; filename="unece-report-2025.pdf"')
        reader = pypdf.PdfReader(io.BytesIO(b"".join(download.streaming_content)))  # type: ignore[attr-defined]
        self.assertGreaterEqual(len(reader.pages), 1)
        text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
        self.assertIn("Yearly report to UNECE: 2025", text)
        self.assertIn("Sustainable cities and communities", text)
        self.assertIn(" ".join(HIGHLIGHT_TEXT.split()[:6]), text)
        # Tagged for accessibility, in English, with the document's title.
        catalog: Any = reader.trailer["/Root"]
        self.assertEqual(catalog["/Lang"], "en")
        self.assertIn("/StructTreeRoot", catalog)
        self.assertTrue(catalog["/MarkInfo"]["/Marked"])
        self.assertEqual(reader.metadata.title if reader.metadata else None, "Yearly report to UNECE 2025: Trondheim")
        self.assertEqual(AccessLogEntry.objects.get().target, "unece-report-2025.pdf")

        # Run again (a second delivery of the task): a done run is not rendered again.
        with mock.patch("requests_app.services.reports.report_pdf") as render:
            self.assertEqual(render_report_run(run.pk).file.name, run.file.name)
        render.assert_not_called()

    def test_the_status_as_json_for_the_polling_script(self) -> None:
        run = ReportRun.objects.create(year=2025, status=ReportRun.Status.RUNNING, progress=40, step="pdf")
        response = self.client.get(f"/en/staff/reports/runs/{run.pk}/", HTTP_ACCEPT="application/json")
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertIn("Accept", response["Vary"])
        self.assertEqual(
            response.json(),
            {
                "id": run.pk,
                "year": 2025,
                "status": "running",
                "status_label": "Being prepared",
                "progress": 40,
                "step": "pdf",
                "step_label": "Writing the PDF",
                "message": "Writing the PDF… 40 % done.",
                "finished": False,
                "stale": False,
                "download_url": None,
            },
        )
        run.file.save("unece.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"), save=False)
        ReportRun.objects.filter(pk=run.pk).update(
            status=ReportRun.Status.DONE, progress=100, step="done", file=run.file.name
        )
        state = self.client.get(f"/en/staff/reports/runs/{run.pk}/", HTTP_ACCEPT="application/json").json()
        self.assertEqual(
            (state["finished"], state["download_url"]), (True, f"/en/staff/reports/runs/{run.pk}/report.pdf")
        )

    def test_the_page_shows_progress_with_a_live_text_and_a_link_to_check_again(self) -> None:
        run = ReportRun.objects.create(year=2025, status=ReportRun.Status.RUNNING, progress=20, step="html")
        page = self.client.get(f"/en/staff/reports/runs/{run.pk}/").content.decode()
        self.assertIn('<progress id="report-run-progress" max="100" value="20"', page)
        self.assertIn('aria-live="polite"', page)
        self.assertIn("Laying out the pages… 20 % done.", page)
        self.assertIn(f'<a class="ds-link" href="/en/staff/reports/runs/{run.pk}/">Check again</a>', page)
        self.assertIn('src="/static/js/report-run.js" defer', page)
        self.assertNotIn('http-equiv="refresh"', page)
        self.assertIn("data-report-run-download hidden", page)

    def test_a_second_click_follows_the_run_under_way(self) -> None:
        first = self.client.post("/en/staff/reports/unece/2025/pdf/")  # on_commit never runs: it stays queued
        second = self.client.post("/en/staff/reports/unece/2025/pdf/")
        self.assertEqual(first["Location"], second["Location"])
        self.assertEqual(ReportRun.objects.get().status, ReportRun.Status.QUEUED)
        # Another year, or a run that lost its worker long ago, starts anew.
        self.client.post("/en/staff/reports/unece/2024/pdf/")
        ReportRun.objects.filter(year=2025).update(created_at=timezone.now() - datetime.timedelta(hours=1))
        self.client.post("/en/staff/reports/unece/2025/pdf/")
        self.assertEqual(ReportRun.objects.count(), 3)

    def test_a_stale_run_offers_to_start_again(self) -> None:
        run = ReportRun.objects.create(year=2025)
        ReportRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))
        page = self.client.get(f"/en/staff/reports/runs/{run.pk}/").content.decode()
        self.assertIn("This is taking much longer than it should.", page)
        self.assertIn("Start the PDF again", page)

    def test_a_failing_render_marks_the_run_failed(self) -> None:
        with (
            mock.patch("requests_app.services.reports.report_pdf", side_effect=RuntimeError("Pango is missing")),
            self.assertLogs("requests_app.services.reports", "ERROR"),
            self.captureOnCommitCallbacks(execute=True),
        ):
            self.client.post("/en/staff/reports/unece/2025/pdf/")
        run = ReportRun.objects.get()
        self.assertEqual((run.status, run.step, run.progress), (ReportRun.Status.FAILED, "failed", 40))
        self.assertEqual(run.error, "RuntimeError: Pango is missing")
        self.assertFalse(run.file)
        page = self.client.get(f"/en/staff/reports/runs/{run.pk}/").content.decode()
        self.assertIn("The PDF could not be made.", page)
        self.assertIn("Start the PDF again", page)
        self.assertNotIn("Pango", page)
        self.assertEqual(self.client.get(f"/en/staff/reports/runs/{run.pk}/report.pdf").status_code, 404)
        # A failed run is not retried by a second delivery.
        self.assertEqual(render_report_run(run.pk).status, ReportRun.Status.FAILED)

    def test_only_a_finished_run_can_be_downloaded(self) -> None:
        run = start_report_run(2025, actor=self.amina, now=timezone.now())
        self.assertEqual(self.client.get(f"/en/staff/reports/runs/{run.pk}/report.pdf").status_code, 404)
        self.assertEqual(self.client.get("/en/staff/reports/runs/999999/").status_code, 404)
        self.assertFalse(AccessLogEntry.objects.exists())


class PdfFetchTests(PortalTestCase):
    def test_the_pdf_gets_its_stylesheet_from_the_static_files_and_nothing_from_the_network(self) -> None:
        content, content_type = _static_file_response(PDF_STATIC_BASE + "css/report-pdf.css")
        self.assertIn(b"@page", content)
        self.assertEqual(content_type, "text/css")
        for url in (
            "https://example.com/tracker.png",
            "file:///etc/passwd",
            PDF_STATIC_BASE + "../../settings.py",
            PDF_STATIC_BASE + "css/missing.css",
        ):
            with self.subTest(url), self.assertRaises(ValueError):
                _static_file_response(url)
        self.assertIn(f'href="{PDF_STATIC_BASE}css/report-pdf.css"', report_html(build_report(2025, now=NOW)))
