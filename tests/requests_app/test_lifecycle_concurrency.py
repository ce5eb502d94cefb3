"""Twenty people pressing the same button at once: exactly one wins, the rest get a clear refusal (PostgreSQL).

Each thread has its own database connection, so the row lock in `services.common.lock` is what keeps the
transitions apart. The refusals are the domain errors the inquiry page shows, in the person's language.
"""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import TransactionTestCase
from django.utils import translation

from partners.models import MunicipalUnit, Role
from requests_app.models import Inquiry, InquiryEvent
from requests_app.services.errors import InquiryStateError, StaleInquiryError
from requests_app.services.lifecycle import route_inquiry, start_triage
from tests.base import make_user
from tests.factories import make_inquiry

THREADS = 20


@pytest.mark.postgres
class SimultaneousTransitionTests(TransactionTestCase):
    serialized_rollback = True  # keep the units, groups and rules that the migrations loaded

    def run_at_once(self, act: Callable[[Inquiry], Any], inquiry_id: int) -> tuple[int, list[BaseException]]:
        """Run `act` in THREADS threads released together, in bokmål; returns the successes and the errors."""
        barrier = threading.Barrier(THREADS)
        lock = threading.Lock()
        successes = 0
        errors: list[BaseException] = []

        def worker() -> None:
            nonlocal successes
            try:
                # The active language is per thread, as it is per request.
                with translation.override("nb"):
                    inquiry = Inquiry.objects.get(pk=inquiry_id)
                    barrier.wait(timeout=30)
                    act(inquiry)
            except BaseException as error:
                with lock:
                    errors.append(error)
            else:
                with lock:
                    successes += 1
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertFalse(any(thread.is_alive() for thread in threads))
        return successes, errors

    def assert_one_winner(
        self, successes: int, errors: list[BaseException], *, error_type: type[InquiryStateError], message: str
    ) -> None:
        """One call succeeded; every other one raised exactly `error_type` saying `message` (no database error)."""
        self.assertEqual(successes, 1, errors)
        self.assertEqual(len(errors), THREADS - 1)
        # In bokmål here too: a message made lazily is translated when read, in the language active then.
        with translation.override("nb"):
            for error in errors:
                self.assertIs(type(error), error_type, repr(error))
                self.assertEqual(str(error), message)

    def test_twenty_simultaneous_triage_starts_make_one_transition(self) -> None:
        amina = make_user("amina@trondheim.kommune.no", groups=(Role.SECRETARIAT,))
        inquiry = make_inquiry()
        successes, errors = self.run_at_once(lambda row: start_triage(row, actor=amina), inquiry.pk)
        self.assert_one_winner(
            successes,
            errors,
            error_type=InquiryStateError,
            message="En henvendelse med status «Til vurdering» kan ikke bli tatt til vurdering.",
        )
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.status, Inquiry.Status.IN_TRIAGE)
        self.assertEqual(inquiry.version, 2)
        event = InquiryEvent.objects.get(inquiry=inquiry)
        self.assertEqual(event.kind, InquiryEvent.Kind.TRIAGE_STARTED)
        self.assertEqual(event.data["version"], 2)

    def test_twenty_simultaneous_routings_make_one_transition_and_one_email(self) -> None:
        amina = make_user("amina@trondheim.kommune.no", groups=(Role.SECRETARIAT,))
        unit = MunicipalUnit.objects.get(code="bym")
        inquiry = make_inquiry(status=Inquiry.Status.IN_TRIAGE)
        mail.outbox.clear()
        successes, errors = self.run_at_once(lambda row: route_inquiry(row, unit=unit, actor=amina), inquiry.pk)
        with translation.override("nb"):  # the unit's name in bokmål, whatever an earlier test left active
            refusal = f"Henvendelsen er allerede sendt til {unit.name}."
        self.assert_one_winner(successes, errors, error_type=InquiryStateError, message=refusal)
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.status, Inquiry.Status.ROUTED)
        self.assertEqual(inquiry.unit, unit)
        self.assertEqual(inquiry.version, 2)
        event = InquiryEvent.objects.get(inquiry=inquiry)
        self.assertEqual(event.kind, InquiryEvent.Kind.ROUTED)
        self.assertEqual([message.to for message in mail.outbox], [[unit.email]])

    def test_twenty_simultaneous_changes_of_the_same_version_make_one_and_show_the_others_what_changed(self) -> None:
        # What twenty open pages do: each sends the version it showed, so the losers are told about the winner's
        # change (StaleInquiryError with the events they have not seen) instead of a bare status refusal.
        amina = make_user("amina@trondheim.kommune.no", groups=(Role.SECRETARIAT,))
        inquiry = make_inquiry()
        successes, errors = self.run_at_once(
            lambda row: start_triage(row, actor=amina, expected_version=row.version), inquiry.pk
        )
        self.assert_one_winner(
            successes,
            errors,
            error_type=StaleInquiryError,
            message="Noen andre endret denne henvendelsen mens du så på den. Ingenting ble lagret. "
            "Se hva som ble endret.",
        )
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.status, Inquiry.Status.IN_TRIAGE)
        self.assertEqual(inquiry.version, 2)
        event = InquiryEvent.objects.get(inquiry=inquiry)
        self.assertEqual(event.kind, InquiryEvent.Kind.TRIAGE_STARTED)
        for error in errors:
            assert isinstance(error, StaleInquiryError)
            self.assertEqual([change.pk for change in error.changes], [event.pk])
