"""The public submission's query budget (issue #9: intake_post p95 ≤ 30 ms): the database work of one valid post,
including the receipt e-mail, which Celery renders and sends in the request in the tests (eager) and a worker sends
in production."""

from typing import Any

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Contact, Organisation
from requests_app.models import Inquiry, InquiryEvent, OutboxMessage, RoutingRule, StatusLink
from tests.base import PortalTestCase
from tests.factories import make_contact, make_organisation
from tests.requests_app.test_intake_view import NEW, SUBMITTED, intake_data

# In a test each transaction is a savepoint (SAVEPOINT and RELEASE are counted); the bench, outside a test, counts
# BEGIN and COMMIT instead, and also comes to 31 for a new contact of a known organisation:
#   the form's SDG goals and targets (2); the session (1); the submission's savepoint (2); the reference (UPDATE
#   and SELECT: 2); the organisation by number, the contact by address (2), and a new contact in a savepoint (3);
#   the service targets; the routing rules with their goals (1); the inquiry, its goals, its targets, its event (4);
#   the receipt: its status link, whether the address has an account, the outbox row (SELECT, and the INSERT in a
#   savepoint: 4); the session's save (3); the delivery: savepoint, SELECT FOR UPDATE, UPDATE (4).
SUBMISSION_QUERIES = 31
# A returning partner: the contact is found, so no INSERT and no savepoint for it.
RETURNING_PARTNER_QUERIES = SUBMISSION_QUERIES - 3


class SubmissionQueryTests(PortalTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.organisation = make_organisation(name="Nidaros Klimalab AS", organisation_number="974760673")
        # As on a running site: the year's reference counter exists, and this browser has a session.
        self.submit(contact_email="forste@klimalab.example")
        mail.outbox.clear()

    def submit(self, **overrides: Any) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(NEW, intake_data(**overrides))
        self.assertRedirects(response, SUBMITTED, fetch_redirect_response=False)

    def test_a_submission_from_a_new_contact_of_a_known_organisation(self) -> None:
        with self.assertNumQueries(SUBMISSION_QUERIES):
            self.submit()
        inquiry = Inquiry.objects.latest("pk")
        self.assertEqual(inquiry.contact.email, "kari@klimalab.example")
        self.assertEqual(inquiry.organisation, self.organisation)
        self.assertEqual(sorted(inquiry.sdg_goals.values_list("number", flat=True)), [11, 13])
        self.assertEqual(sorted(inquiry.sdg_targets.values_list("code", flat=True)), ["13.1", "13.2"])
        self.assertEqual(InquiryEvent.objects.get(inquiry=inquiry).kind, InquiryEvent.Kind.SUBMITTED)
        self.assertEqual(StatusLink.objects.filter(inquiry=inquiry).count(), 1)
        self.assertEqual(OutboxMessage.objects.get(inquiry=inquiry).status, OutboxMessage.Status.SENT)
        self.assertEqual(len(mail.outbox), 1)

    def test_a_returning_partner_costs_no_more(self) -> None:
        make_contact(
            self.organisation,
            name="Kari Nordmann",
            email="kari@klimalab.example",
            phone="+47 73 00 00 00",
            role="Daglig leder",
        )
        with self.assertNumQueries(RETURNING_PARTNER_QUERIES):
            self.submit()
        self.assertEqual(Contact.objects.filter(email="kari@klimalab.example").count(), 1)
        self.assertEqual(Organisation.objects.count(), 1)

    def test_the_number_of_goals_targets_and_routing_rules_does_not_change_it(self) -> None:
        for number in range(1, 12):
            RoutingRule.objects.create(name=f"Regel {number}", unit=self.bym_unit, keywords=f"ord{number}")
        with CaptureQueriesContext(connection) as few:
            self.submit(sdg_goals="11", sdg_targets="13.1")
        with CaptureQueriesContext(connection) as many:
            self.submit(
                contact_email="ola@klimalab.example",
                sdg_goals=["3", "4", "7", "11", "17"],
                sdg_targets=["3.1", "4.7", "7.2", "11.2", "11.6", "17.17"],
            )
        self.assertEqual(len(many), len(few))
        self.assertEqual(len(few), SUBMISSION_QUERIES)
