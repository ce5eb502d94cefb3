"""The privacy page at /privacy/ (bokmål) and /en/privacy/: its retention table comes from the rules in code."""

import re
from unittest import mock

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext

from requests_app.models import Inquiry
from requests_app.retention import RETENTION_RULES, RetentionRule
from tests.base import PortalTestCase

PAGES = {"nb": "/privacy/", "en": "/en/privacy/"}


def table_rows(html: str) -> list[tuple[str, str]]:
    table = re.search(r'<table[^>]*id="retention-table".*?</table>', html, re.S)
    assert table is not None, "no retention table"
    return re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", table.group(0))


class PrivacyPageTests(PortalTestCase):
    def test_the_retention_periods_are_listed_in_both_languages_from_the_rules(self) -> None:
        for language, path in PAGES.items():
            with self.subTest(language):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 200)
                with translation.override(language):
                    expected = [(str(rule.label), rule.period) for rule in RETENTION_RULES]
                self.assertEqual(table_rows(response.content.decode()), expected)
        english = table_rows(self.client.get(PAGES["en"]).content.decode())
        self.assertIn(("Agreements, joint projects and pilots", "5 years"), english)
        self.assertIn(("Rejected as spam", "1 year"), english)
        bokmal = dict(table_rows(self.client.get(PAGES["nb"]).content.decode()))
        with translation.override("nb"):
            spam = gettext("Rejected as spam")
        self.assertNotEqual(spam, "Rejected as spam")
        self.assertIn(spam, bokmal)  # in bokmål on the bokmål page
        self.assertIn("1", bokmal[spam])

    def test_the_access_log_and_other_emails_have_their_periods_from_the_code(self) -> None:
        english = self.client.get(PAGES["en"]).content.decode()
        self.assertIn("access log are deleted after 5 years", english)
        self.assertIn("keep their recipient and text for 1 year;", english)
        with (
            mock.patch("requests_app.views.pages.ACCESS_LOG_YEARS", 7),
            mock.patch("requests_app.views.pages.OTHER_EMAIL_YEARS", 2),
        ):
            changed = self.client.get(PAGES["en"]).content.decode()
            bokmal = self.client.get(PAGES["nb"]).content.decode()
        self.assertIn("access log are deleted after 7 years", changed)
        self.assertIn("keep their recipient and text for 2 years;", changed)
        for paragraph in ("access-log-retention", "other-email-retention"):
            found = re.search(rf'<p id="{paragraph}">(.*?)</p>', bokmal, re.S)
            assert found is not None
            self.assertNotIn("access log", found[1])  # in bokmål
            self.assertRegex(found[1], r"\b[27] år\b")

    def test_a_changed_rule_changes_the_page(self) -> None:
        changed = (RetentionRule("closed", Inquiry.Status.CLOSED.label, 7, Q(status="closed")),)
        with mock.patch("requests_app.views.pages.RETENTION_RULES", changed):
            rows = table_rows(self.client.get(PAGES["en"]).content.decode())
        self.assertEqual(rows, [("Closed", "7 years")])

    def test_the_page_names_the_basis_the_access_log_the_rights_and_whom_to_contact(self) -> None:
        response = self.client.get(PAGES["en"])
        for text in (
            "article 6(1)(e)",
            "Archives Act",
            "Who sees it",
            "Access log",
            "object to our processing",
            "Datatilsynet",
            "mailto:personvernombud@trondheim.kommune.no",
            "put an inquiry on hold",
        ):
            with self.subTest(text):
                self.assertContains(response, text)

    def test_inquiry_pages_link_to_the_retention_section(self) -> None:
        self.assertContains(self.client.get(PAGES["en"]), 'id="retention"')
