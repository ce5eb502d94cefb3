"""References stay unique and gap-free when many partners submit at the same moment (PostgreSQL)."""

import threading

import pytest
from django.db import connection
from django.test import TransactionTestCase

from partners.services import ContactDetails, OrganisationDetails
from requests_app.models import Inquiry
from requests_app.services.intake import submit_inquiry


@pytest.mark.postgres
class ReferenceConcurrencyTests(TransactionTestCase):
    serialized_rollback = True  # keep the reference data that the migrations loaded

    def test_twenty_simultaneous_submissions_get_distinct_gap_free_references(self) -> None:
        threads_count = 20
        barrier = threading.Barrier(threads_count)
        errors: list[BaseException] = []

        def submit(number: int) -> None:
            try:
                barrier.wait(timeout=30)
                submit_inquiry(
                    organisation=OrganisationDetails(name="Samtidig AS", kind="company", country="NO"),
                    contact=ContactDetails(name=f"Person {number}", email=f"person{number}@example.com"),
                    title=f"Inquiry {number}",
                    description="Sent at the same moment as nineteen others.",
                    inquiry_type="other",
                    language="nb",
                    send_receipt=False,
                )
            except BaseException as error:
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=submit, args=(number,)) for number in range(threads_count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        self.assertEqual(errors, [])
        references = sorted(Inquiry.objects.values_list("reference", flat=True))
        year = references[0][:4]
        self.assertEqual(references, [f"{year}-{number:04d}" for number in range(1, threads_count + 1)])
        # The organisation was created once, though all twenty asked for it at the same time.
        self.assertEqual(Inquiry.objects.values("organisation").distinct().count(), 1)
