"""Twenty people pressing the same button at once: exactly one wins, the rest get a clear refusal (PostgreSQL)."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import TransactionTestCase

from partners.models import MunicipalUnit, Role
from requests_app.models import Inquiry, InquiryEvent
from requests_app.services.errors import InquiryStateError
from requests_app.services.lifecycle import route_inquiry, start_triage
from tests.base import make_user
from tests.factories import make_inquiry

THREADS = 20


@pytest.mark.postgres
class SimultaneousTransitionTests(TransactionTestCase):
    serialized_rollback = True  # keep the units, groups and rules that the migrations loaded

    def run_at_once(self, act: Callable[[Inquiry], Any], inquiry_id: int) -> tuple[int, list[BaseException]]:
        """Run `act` in THREADS threads released together; returns the successes and the errors."""
        barrier = threading.Barrier(THREADS)
        lock = threading.Lock()
        successes = 0
        errors: list[BaseException] = []

        def worker() -> None:
            nonlocal successes
            try:
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

    def assert_one_winner(self, successes: int, errors: list[BaseException]) -> None:
        self.assertEqual(successes, 1, errors)
        self.assertEqual(len(errors), THREADS - 1)
        for error in errors:
            self.assertIs(type(error), InquiryStateError, repr(error))
            self.assertNotEqual(str(error), "")

    def test_twenty_simultaneous_triage_starts_make_one_transition(self) -> None:
        amina = make_user("amina@trondheim.kommune.no", groups=(Role.SECRETARIAT,))
        inquiry = make_inquiry()
        successes, errors = self.run_at_once(lambda row: start_triage(row, actor=amina), inquiry.pk)
        self.assert_one_winner(successes, errors)
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
        self.assert_one_winner(successes, errors)
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.status, Inquiry.Status.ROUTED)
        self.assertEqual(inquiry.unit, unit)
        self.assertEqual(inquiry.version, 2)
        self.assertEqual(InquiryEvent.objects.filter(inquiry=inquiry).count(), 1)
        self.assertEqual([message.to for message in mail.outbox], [[unit.email]])
