"""References stay unique and gap-free when many partners submit at the same moment (PostgreSQL)."""

import threading

import pytest
from django.db import connection
from django.test import TransactionTestCase

from partners.models import Contact, Organisation
from partners.services import ContactDetails, OrganisationDetails
from requests_app.models import Inquiry, InquiryEvent
from requests_app.services.intake import submit_inquiry

THREADS = 50


@pytest.mark.postgres
class ReferenceConcurrencyTests(TransactionTestCase):
    serialized_rollback = True  # keep the reference data that the migrations loaded

    def test_fifty_simultaneous_submissions_get_distinct_gap_free_references(self) -> None:
        barrier = threading.Barrier(THREADS)
        lock = threading.Lock()
        errors: list[BaseException] = []

        def submit(number: int) -> None:
            # Each thread is one web request with its own database connection, released at the same moment.
            try:
                barrier.wait(timeout=30)
                submit_inquiry(
                    organisation=OrganisationDetails(name="Samtidig AS", kind="company", country="NO"),
                    contact=ContactDetails(name=f"Person {number}", email=f"person{number}@example.com"),
                    title=f"Inquiry {number}",
                    description="Sent at the same moment as forty-nine others.",
                    inquiry_type="other",
                    language="nb",
                    send_receipt=False,
                )
            except BaseException as error:
                with lock:
                    errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=submit, args=(number,)) for number in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertFalse(any(thread.is_alive() for thread in threads))

        self.assertEqual(errors, [])
        references = sorted(Inquiry.objects.values_list("reference", flat=True))
        year = references[0][:4]
        self.assertEqual(references, [f"{year}-{number:04d}" for number in range(1, THREADS + 1)])
        self.assertEqual(
            InquiryEvent.objects.filter(kind=InquiryEvent.Kind.SUBMITTED).count(), THREADS, "one event each"
        )
        # The organisation was created once, though all fifty asked for it at the same time.
        self.assertEqual(Organisation.objects.filter(name="Samtidig AS").count(), 1)
        self.assertEqual(Inquiry.objects.values("organisation").distinct().count(), 1)
        self.assertEqual(Contact.objects.filter(email__startswith="person").count(), THREADS)
