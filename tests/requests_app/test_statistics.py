"""The open statistics (/statistics/ and its CSV and JSON): the numbers against a fixture counted by hand, the year
boundary at midnight in Oslo, spam and duplicates left out, the three forms agreeing, no personal data, names only
with consent, a fixed number of queries, caching; and the secretariat recording an organisation's consent."""

import csv
import datetime
import io
import json
from collections import defaultdict
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation

from partners.models import Organisation
from requests_app.models import Inquiry, Outcome, SdgGoal
from requests_app.services.organisations import withdraw_publication_consent
from requests_app.summaries.open_data import LICENCE_NAME, Total, compute_open_statistics
from tests.base import PortalTestCase
from tests.factories import make_contact, make_inquiry, make_organisation

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

S = Inquiry.Status
Kind = Organisation.Kind
T = Outcome.Type
UTC = datetime.UTC
OSLO = ZoneInfo("Europe/Oslo")
PAGE_NB, PAGE_EN = "/statistics/", "/en/statistics/"
CSV_NB, CSV_EN = "/statistics/statistics.csv", "/en/statistics/statistics.csv"
JSON_NB, JSON_EN = "/statistics/statistics.json", "/en/statistics/statistics.json"
# Five grouped counts and the goals' names, however many years and inquiries there are.
STATISTICS_QUERIES = 6

NAMED = "Lysverket Samtykke AS"
NAMED_NUMBER = "923609016"
UNNAMED = "Hemmelig Stiftelse Ukjent"
UNNAMED_NUMBER = "987654325"
LATER = "Framtidig Samtykke SA"


def oslo(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=OSLO)


def make_outcome(inquiry: Inquiry, kind: str, decided_on: datetime.date) -> Outcome:
    return Outcome.objects.create(inquiry=inquiry, type=kind, decided_on=decided_on, recorded_at=timezone.now())


class PageReader(HTMLParser):
    """The rows of each table's body (cell texts) and the pairs of each definition list, by their element id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = defaultdict(list)
        self.lists: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self._table = self._list = ""
        self._in_body = False
        self._row: list[str] = []
        self._cell: list[str] | None = None
        self._term = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id") or ""
        elif tag == "dl":
            self._list = dict(attrs).get("id") or ""
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr":
            self._row = []
        elif tag in {"th", "td", "dt", "dd"}:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in {"th", "td"} and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "dt" and self._cell is not None:
            self._term = " ".join("".join(self._cell).split())
            self._cell = None
        elif tag == "dd" and self._cell is not None:
            self.lists[self._list].append((self._term, " ".join("".join(self._cell).split())))
            self._cell = None
        elif tag == "tr" and self._in_body:
            self.tables[self._table].append(self._row)
        elif tag == "tbody":
            self._in_body = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def read_page(response: "TestResponse") -> PageReader:
    reader = PageReader()
    reader.feed(response.content.decode())
    return reader


def csv_rows(response: "TestResponse") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


class StatisticsFixture(PortalTestCase):
    """Two years counted by hand (`last` and `this`, the current year in Oslo):

    last year: #1 named company, goals 3 and 11, agreement decided last year; #2 unnamed NGO, goal 11, referred
      to another body decided this year; #3 municipality, no goal, received 31 December 23:30 in Oslo; spam from
      the named company (goal 11, an outcome "declined" that is not counted either) and a duplicate of #2 (goal 3).
    this year: #4 named company, goals 11 and 13, received 31 December 23:30 UTC, which is 00:30 on 1 January in
      Oslo; #5 research institute whose consent starts in ten days, goal 13, pilot decided this year.
    """

    named: Organisation
    unnamed: Organisation
    later: Organisation
    municipality: Organisation
    last: int
    this: int

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        today = timezone.localdate()
        cls.this, cls.last = today.year, today.year - 1
        goal = {goal.number: goal for goal in SdgGoal.objects.all()}
        cls.named = make_organisation(
            name=NAMED, kind=Kind.COMPANY, organisation_number=NAMED_NUMBER, name_published_since=today
        )
        cls.unnamed = make_organisation(name=UNNAMED, kind=Kind.NGO, organisation_number=UNNAMED_NUMBER)
        cls.later = make_organisation(
            name=LATER, kind=Kind.RESEARCH, name_published_since=today + datetime.timedelta(days=10)
        )
        cls.municipality = make_organisation(name="Eksempel kommune", kind=Kind.MUNICIPALITY)
        last, this = cls.last, cls.this
        first = make_inquiry(
            organisation=cls.named, received_at=oslo(last, 3, 10), status=S.CLOSED, sdg_goals=[goal[3], goal[11]]
        )
        make_outcome(first, T.AGREEMENT, datetime.date(last, 4, 1))
        second = make_inquiry(
            organisation=cls.unnamed, received_at=oslo(last, 6, 1), status=S.DECIDED, sdg_goals=[goal[11]]
        )
        make_outcome(second, T.REFERRED, datetime.date(this, 1, 2))
        make_inquiry(organisation=cls.municipality, received_at=oslo(last, 12, 31, 23, 30))
        spam = make_inquiry(organisation=cls.named, received_at=oslo(last, 5, 5), status=S.SPAM, sdg_goals=[goal[11]])
        make_outcome(spam, T.DECLINED, datetime.date(last, 5, 6))
        make_inquiry(
            organisation=cls.unnamed,
            received_at=oslo(last, 5, 6),
            status=S.DUPLICATE,
            duplicate_of=second,
            sdg_goals=[goal[3]],
        )
        make_inquiry(
            organisation=cls.named,
            received_at=datetime.datetime(last, 12, 31, 23, 30, tzinfo=UTC),
            sdg_goals=[goal[11], goal[13]],
        )
        fifth = make_inquiry(
            organisation=cls.later, received_at=oslo(this, 1, 2), status=S.DECIDED, sdg_goals=[goal[13]]
        )
        make_outcome(fifth, T.PILOT, datetime.date(this, 1, 3))


class OpenStatisticsNumbersTests(StatisticsFixture):
    def test_the_figures_are_those_counted_by_hand(self) -> None:
        with translation.override("en"):
            figures = compute_open_statistics()
        self.assertEqual([year.year for year in figures.years], [self.last, self.this])
        last, this = figures.years

        self.assertEqual((last.inquiries, last.without_goal, last.outcomes_decided), (3, 1, 1))
        self.assertEqual({row.code: row.count for row in last.goals if row.count}, {"3": 1, "11": 2})
        self.assertEqual(len(last.goals), 17, "every goal is listed, 0 included")
        self.assertEqual(
            {row.code: row.count for row in last.kinds if row.count}, {"company": 1, "ngo": 1, "municipality": 1}
        )
        self.assertEqual(len(last.kinds), len(Kind.choices))
        self.assertEqual({row.code: row.count for row in last.outcomes if row.count}, {"agreement": 1})
        self.assertEqual(len(last.outcomes), len(T.choices))
        self.assertEqual([(row.label, row.code, row.count) for row in last.organisations], [(NAMED, NAMED_NUMBER, 1)])

        self.assertEqual((this.inquiries, this.without_goal, this.outcomes_decided), (2, 0, 2))
        # Two inquiries, three goal counts: an inquiry about two goals counts once for each.
        self.assertEqual({row.code: row.count for row in this.goals if row.count}, {"11": 1, "13": 2})
        self.assertEqual({row.code: row.count for row in this.kinds if row.count}, {"company": 1, "research": 1})
        self.assertEqual({row.code: row.count for row in this.outcomes if row.count}, {"referred": 1, "pilot": 1})
        self.assertEqual([(row.label, row.count) for row in this.organisations], [(NAMED, 1)])
        self.assertEqual(this.goals[10].label, "11. Sustainable cities and communities")

    def test_the_year_begins_at_midnight_in_oslo(self) -> None:
        """23:30 UTC on 31 December is 00:30 on 1 January in Oslo, the new year; 23:30 in Oslo is still the old."""
        figures = compute_open_statistics()
        last, this = figures.years
        self.assertEqual(
            {row.code: row.count for row in last.kinds if row.count}["municipality"], 1, "23:30 Oslo on 31 December"
        )
        self.assertEqual([row.count for row in this.organisations], [1], "23:30 UTC on 31 December")
        self.assertEqual([row.count for row in last.organisations], [1], "only the inquiry of 10 March")
        self.assertEqual({row.code: row.count for row in this.kinds}[Kind.MUNICIPALITY], 0)

    def test_spam_duplicates_and_their_outcomes_are_not_counted(self) -> None:
        last = compute_open_statistics().years[0]
        self.assertEqual(last.inquiries, 3)
        self.assertEqual(last.total(Total.OUTCOMES), 1)
        self.assertEqual({row.code: row.count for row in last.outcomes}[T.DECLINED], 0)
        self.assertEqual([row.count for row in last.organisations], [1], "the named company's spam is not counted")

    def test_consent_from_today_counts_and_consent_in_the_future_does_not(self) -> None:
        figures = compute_open_statistics()
        named = {row.label for year in figures.years for row in year.organisations}
        self.assertEqual(named, {NAMED})
        later = compute_open_statistics(today=timezone.localdate() + datetime.timedelta(days=10))
        self.assertIn(LATER, {row.label for year in later.years for row in year.organisations})


class OpenStatisticsPageTests(StatisticsFixture):
    def test_anyone_may_read_the_page_and_the_downloads_but_not_post(self) -> None:
        for path in (PAGE_NB, PAGE_EN, CSV_NB, CSV_EN, JSON_NB, JSON_EN):
            with self.subTest(path):
                self.assertEqual(Client().get(path).status_code, 200)
                self.assertEqual(Client().post(path).status_code, 405)
                self.assertEqual(Client().head(path).status_code, 200)
        staff = Client()
        staff.force_login(self.amina)
        self.assertEqual(staff.get(PAGE_EN).status_code, 200)

    def test_the_downloads_are_cacheable_and_need_no_session(self) -> None:
        for path in (CSV_NB, JSON_EN):
            with self.subTest(path):
                response = Client().get(path)
                self.assertIn("public", response["Cache-Control"])
                self.assertIn("max-age=300", response["Cache-Control"])
                self.assertEqual(response.cookies, {}, "no session or CSRF cookie")
                self.assertIn("attachment;", response["Content-Disposition"])

    def test_the_figures_are_cached_per_language_and_forgotten_when_a_consent_changes(self) -> None:
        Client().get(PAGE_EN)
        with self.assertNumQueries(0):
            Client().get(PAGE_EN)
            Client().get(CSV_EN)
            Client().get(JSON_EN)
        with self.assertNumQueries(STATISTICS_QUERIES):
            response = Client().get(PAGE_NB)
        self.assertContains(response, "Bærekraftige byer og lokalsamfunn")
        # A new inquiry shows after a few minutes; a withdrawn consent at once.
        with self.captureOnCommitCallbacks(execute=True):
            withdraw_publication_consent(self.named, actor=self.amina)
        self.assertNotContains(Client().get(PAGE_EN), NAMED)
        self.assertNotIn(NAMED, Client().get(CSV_NB).content.decode())

    def test_the_page_shows_the_newest_year_or_the_one_chosen(self) -> None:
        page = read_page(Client().get(PAGE_EN))
        self.assertEqual(
            page.lists["year-totals"],
            [("Inquiries received", "2"), ("Inquiries without an SDG goal", "0"), ("Outcomes decided", "2")],
        )
        self.assertEqual(page.tables["all-years"], [[str(self.this), "2", "0", "2"], [str(self.last), "3", "1", "1"]])
        response = Client().get(PAGE_EN, {"year": self.last})
        self.assertContains(response, f"Figures for {self.last}")
        page = read_page(response)
        self.assertIn(["11. Sustainable cities and communities", "2"], page.tables["goals"])
        self.assertEqual(page.tables["organisations"], [[NAMED, "1"]])

    def test_an_unknown_year_is_refused_with_a_message_and_the_newest_year(self) -> None:
        for value in ("1800", "abc", str(self.this + 1)):
            with self.subTest(value):
                response = Client().get(PAGE_EN, {"year": value})
                self.assertContains(response, "Choose one of the years in the list.", status_code=400)
                self.assertContains(response, f"Figures for {self.this}", status_code=400)

    def test_the_page_the_csv_and_the_json_agree(self) -> None:
        for language, page_path, csv_path, json_path in (
            ("en", PAGE_EN, CSV_EN, JSON_EN),
            ("nb", PAGE_NB, CSV_NB, JSON_NB),
        ):
            with self.subTest(language):
                csv_response = Client().get(csv_path)
                self.assertEqual(csv_response["Content-Type"], "text/csv; charset=utf-8; header=present")
                from_csv = csv_rows(csv_response)
                self.assertEqual(list(from_csv[0]), ["year", "dimension", "code", "label", "count"])
                document = json.loads(Client().get(json_path).content)
                from_json = [{key: str(value) for key, value in row.items()} for row in document["data"]]
                self.assertEqual(from_csv, from_json)
                self.assertEqual(document["language"], language)
                self.assertEqual(list(document["fields"]), ["year", "dimension", "code", "label", "count"])
                self.assertEqual(document["licence"]["name"], LICENCE_NAME)
                self.assertTrue(document["generated_at"])
                for year in (self.last, self.this):
                    page = read_page(Client().get(page_path, {"year": year}))
                    rows = [row for row in from_json if row["year"] == str(year)]

                    def of(dimension: str, rows: list[dict[str, str]] = rows) -> list[list[str]]:
                        return [[row["label"], row["count"]] for row in rows if row["dimension"] == dimension]

                    self.assertEqual(page.tables["goals"], of("sdg_goal"))
                    self.assertEqual(page.tables["kinds"], of("organisation_kind"))
                    self.assertEqual(page.tables["outcomes"], of("outcome"))
                    self.assertEqual(page.tables["organisations"], of("organisation"))
                    self.assertEqual([list(pair) for pair in page.lists["year-totals"]], of("total"))

    def test_the_page_describes_the_fields_and_links_the_downloads_and_the_licence(self) -> None:
        response = Client().get(PAGE_EN)
        page = read_page(response)
        self.assertEqual(
            [term for term, _description in page.lists["fields"]], ["year", "dimension", "code", "label", "count"]
        )
        self.assertContains(response, 'href="/en/statistics/statistics.csv"')
        self.assertContains(response, 'href="/en/statistics/statistics.json"')
        self.assertContains(response, LICENCE_NAME)
        self.assertContains(response, "counts once for each of them")
        nb = Client().get(PAGE_NB)
        self.assertContains(nb, 'href="/statistics/statistics.csv"')
        self.assertContains(nb, '<html lang="nb">')

    def test_the_page_leaks_no_personal_data(self) -> None:
        """Distinctive personal data and texts on inquiries of every year, staff on them, and an organisation without
        consent: none of it is in the page (either language), the CSV or the JSON; the consenting name is."""
        contact = make_contact(
            organisation=self.unnamed,
            name="Zerlina Quockenbush",
            email="zerlina.quockenbush@leak.example",
            phone="+47 913 57 924",
            role="Hemmelighetsrådgiver",
        )
        named_contact = make_contact(
            organisation=self.named, name="Ottokar Vindelbrok", email="ottokar@lysverket.example", phone="+47 24681357"
        )
        secrets = [
            "Zerlina",
            "Quockenbush",
            "leak.example",
            "913 57 924",
            "Hemmelighetsrådgiver",
            "Ottokar",
            "Vindelbrok",
            "lysverket.example",
            "24681357",
            "Xylofonprosjektet",
            "Konfidensiell beskrivelse",
            "1987-9753",
            "1987-8642",
            self.bruno.full_name,
            self.amina.full_name,
            self.bruno.email,
            UNNAMED,
            UNNAMED_NUMBER,
            "Eksempel kommune",
            LATER,
        ]
        for year, who, reference in ((self.last, contact, "1987-9753"), (self.this, named_contact, "1987-8642")):
            inquiry = make_inquiry(
                contact=who,
                received_at=oslo(year, 2, 1),
                title="Xylofonprosjektet i Ukjentby",
                description="Konfidensiell beskrivelse av xylofonprosjektet.",
                reference=reference,
                owner=self.bruno,
                status=S.DECIDED,
            )
            inquiry.collaborators.add(self.amina)
            Outcome.objects.create(
                inquiry=inquiry,
                type=T.KNOWLEDGE_SHARED,
                summary="Konfidensiell beskrivelse av utfallet.",
                decided_on=datetime.date(year, 2, 2),
                recorded_at=timezone.now(),
                recorded_by=self.amina,
            )
        bodies = {}
        for path in (PAGE_NB, PAGE_EN, CSV_NB, CSV_EN, JSON_NB, JSON_EN):
            bodies[path] = Client().get(path).content.decode()
            for year in (self.last, self.this):
                bodies[f"{path}?year={year}"] = Client().get(path, {"year": year}).content.decode()
        for where, body in bodies.items():
            for secret in secrets:
                with self.subTest(where=where, secret=secret):
                    self.assertNotIn(secret, body)
            with self.subTest(where=where, named=NAMED):
                self.assertIn(NAMED, body)

    def test_a_fixed_number_of_queries_whatever_the_data(self) -> None:
        counts = {}
        for size in ("few", "many"):
            if size == "many":
                goals = list(SdgGoal.objects.all())
                for index in range(60):
                    organisation = make_organisation(
                        kind=Kind.choices[index % len(Kind.choices)][0],
                        name_published_since=datetime.date(2000, 1, 1) if index % 3 == 0 else None,
                    )
                    inquiry = make_inquiry(
                        organisation=organisation,
                        received_at=oslo(self.this - index % 8, 1 + index % 12, 1 + index % 28),
                        sdg_goals=goals[index % 17 : index % 17 + 1 + index % 3],
                    )
                    if index % 2:
                        make_outcome(inquiry, T.choices[index % len(T.choices)][0], datetime.date(self.this, 1, 1))
            for path in (PAGE_NB, CSV_EN, JSON_NB):
                cache.clear()
                with self.subTest(size=size, path=path), self.assertNumQueries(STATISTICS_QUERIES):
                    response = Client().get(path)
                    self.assertEqual(response.status_code, 200)
            counts[size] = len(read_page(Client().get(PAGE_EN)).tables["all-years"])
        self.assertEqual(counts, {"few": 2, "many": 8})


class EmptyStatisticsTests(PortalTestCase):
    def test_with_no_inquiries_the_current_year_shows_zeros(self) -> None:
        with self.assertNumQueries(STATISTICS_QUERIES):
            response = Client().get(PAGE_EN)
        self.assertEqual(response.status_code, 200)
        page = read_page(response)
        this = str(timezone.localdate().year)
        self.assertEqual(page.tables["all-years"], [[this, "0", "0", "0"]])
        self.assertEqual(len(page.tables["goals"]), 17)
        self.assertEqual({count for _label, count in page.tables["goals"]}, {"0"})
        self.assertNotIn("organisations", page.tables)
        self.assertContains(response, f"No organisation that has agreed to be named sent an inquiry in {this}.")
        rows = csv_rows(Client().get(CSV_EN))
        self.assertEqual({row["year"] for row in rows}, {this})
        self.assertEqual({row["count"] for row in rows}, {"0"})
        self.assertEqual(len(rows), 3 + 17 + len(Kind.choices) + len(T.choices))
        self.assertEqual(len(json.loads(Client().get(JSON_EN).content)["data"]), len(rows))

    def test_the_years_run_from_the_first_inquiry_to_the_current_one(self) -> None:
        this = timezone.localdate().year
        make_inquiry(received_at=oslo(this - 3, 6, 1))
        figures = compute_open_statistics()
        self.assertEqual([year.year for year in figures.years], list(range(this - 3, this + 1)))
        self.assertEqual([year.inquiries for year in figures.years], [1, 0, 0, 0])


class PublicationConsentTests(PortalTestCase):
    """The secretariat records the date an organisation agreed to be named in the open statistics, or withdraws it."""

    organisation: Organisation

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.organisation = make_organisation(name="Samtykkeverket AS")
        make_inquiry(organisation=cls.organisation)

    def url(self) -> str:
        return f"/en/staff/organisations/{self.organisation.pk}/publication/"

    def page(self) -> str:
        return f"/en/staff/organisations/{self.organisation.pk}/"

    def post(self, user: Any, data: dict[str, str]) -> "TestResponse":
        client = Client()
        client.force_login(user)
        with self.captureOnCommitCallbacks(execute=True):
            return client.post(self.url(), data)

    def history(self) -> list[LogEntry]:
        return list(LogEntry.objects.filter(object_id=str(self.organisation.pk)).order_by("pk"))

    def test_the_secretariat_records_and_withdraws_consent_in_the_admin_history(self) -> None:
        agreed = timezone.localdate() - datetime.timedelta(days=3)
        response = self.post(self.amina, {"action": "record", "name_published_since": agreed.isoformat()})
        self.assertRedirects(response, self.page() + "#publication", fetch_redirect_response=False)
        self.organisation.refresh_from_db()
        self.assertEqual(self.organisation.name_published_since, agreed)
        (entry,) = self.history()
        self.assertEqual((entry.action_flag, entry.user_id), (CHANGE, self.amina.pk))
        self.assertIn(agreed.isoformat(), entry.change_message)
        self.assertContains(Client().get(PAGE_EN), "Samtykkeverket AS")

        response = self.post(self.admin, {"action": "withdraw"})
        self.assertRedirects(response, self.page() + "#publication", fetch_redirect_response=False)
        self.organisation.refresh_from_db()
        self.assertIsNone(self.organisation.name_published_since)
        self.assertEqual(len(self.history()), 2)
        self.assertEqual(self.history()[1].user_id, self.admin.pk)
        self.assertNotContains(Client().get(PAGE_EN), "Samtykkeverket AS")
        # Withdrawing again changes nothing and writes nothing.
        self.post(self.amina, {"action": "withdraw"})
        self.assertEqual(len(self.history()), 2)

    def test_only_the_secretariat_and_administrators_may_record_consent(self) -> None:
        for user in (self.bruno, self.dina, self.partner):
            with self.subTest(user.email):
                response = self.post(user, {"action": "record", "name_published_since": "2025-01-01"})
                self.assertEqual(response.status_code, 403)
        response = Client().post(self.url(), {"action": "record", "name_published_since": "2025-01-01"})
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])
        self.organisation.refresh_from_db()
        self.assertIsNone(self.organisation.name_published_since)
        self.assertEqual(self.history(), [])
        client = Client()
        client.force_login(self.amina)
        self.assertEqual(client.get(self.url()).status_code, 405)

    def test_a_date_in_the_future_or_missing_comes_back_with_the_error_and_the_input(self) -> None:
        tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
        for data, message in (
            ({"action": "record", "name_published_since": tomorrow}, "The date of consent cannot be in the future."),
            ({"action": "record", "name_published_since": ""}, "Enter the date the organisation agreed to be named."),
            ({"action": "record", "name_published_since": "2025-02-31"}, "Enter a valid date."),
            ({"name_published_since": "2025-01-01"}, "Choose whether to record or to withdraw the consent."),
        ):
            with self.subTest(data=data):
                response = self.post(self.amina, data)
                self.assertContains(response, message, status_code=400)
                self.assertContains(response, 'id="error-summary"', status_code=400)
                if data["name_published_since"]:
                    self.assertContains(response, f'value="{data["name_published_since"]}"', status_code=400)
        self.organisation.refresh_from_db()
        self.assertIsNone(self.organisation.name_published_since)
        self.assertEqual(self.history(), [])

    def test_the_organisation_page_shows_the_consent_and_the_form_to_the_secretariat_only(self) -> None:
        self.organisation.name_published_since = datetime.date(2025, 3, 1)
        self.organisation.save()
        for user, sees_form in ((self.amina, True), (self.dina, False)):
            with self.subTest(user.email):
                client = Client()
                client.force_login(user)
                response = client.get(self.page())
                self.assertContains(response, "Yes, since 1 March 2025")
                self.assertEqual("Withdraw consent" in response.content.decode(), sees_form)
                self.assertEqual('value="2025-03-01"' in response.content.decode(), sees_form)
