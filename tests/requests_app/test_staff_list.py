import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.models import User
from requests_app.models import Inquiry
from requests_app.views.inbox import STAFF_PAGE_SIZE
from tests.base import PortalTestCase
from tests.factories import make_inquiry

LIST = "/staff/"


def detail_url(inquiry: Inquiry) -> str:
    return f"/staff/inquiries/{inquiry.pk}/"


class StaffListAccessTests(PortalTestCase):
    unrouted: Inquiry
    for_bym: Inquiry
    for_oppvekst: Inquiry

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        now = timezone.now()
        cls.unrouted = make_inquiry(title="Ikke fordelt ennå", received_at=now - datetime.timedelta(hours=3))
        cls.for_bym = make_inquiry(
            title="Sykkelveier i Midtbyen", unit=cls.bym_unit, received_at=now - datetime.timedelta(hours=2)
        )
        cls.for_oppvekst = make_inquiry(
            title="Skolehager", unit=cls.oppvekst_unit, received_at=now - datetime.timedelta(hours=1)
        )

    def listed(self, user: User) -> list[Inquiry]:
        self.client.force_login(user)
        response = self.client.get(LIST)
        self.assertEqual(response.status_code, 200)
        return list(response.context["inquiries"])

    def test_anonymous_is_sent_to_the_login_page(self) -> None:
        self.assertRedirects(self.client.get(LIST), f"/accounts/login/?next={LIST}")
        self.assertRedirects(
            self.client.get(detail_url(self.for_bym)), f"/accounts/login/?next={detail_url(self.for_bym)}"
        )

    def test_signed_in_user_without_a_staff_role_is_refused(self) -> None:
        self.client.force_login(self.partner)
        self.assertEqual(self.client.get(LIST).status_code, 403)
        self.assertEqual(self.client.get(detail_url(self.for_bym)).status_code, 403)

    def test_secretariat_executive_and_admin_see_every_inquiry_newest_first(self) -> None:
        for user in (self.amina, self.dina, self.admin):
            with self.subTest(user=user.email):
                self.assertEqual(self.listed(user), [self.for_oppvekst, self.for_bym, self.unrouted])

    def test_unit_member_sees_only_the_units_inquiries(self) -> None:
        self.assertEqual(self.listed(self.bruno), [self.for_bym])
        self.assertEqual(self.listed(self.chen), [self.for_oppvekst])

    def test_list_shows_reference_title_organisation_and_unit(self) -> None:
        self.client.force_login(self.bruno)
        response = self.client.get(LIST)
        self.assertContains(response, f'<a href="{detail_url(self.for_bym)}">{self.for_bym.reference}</a>', html=True)
        self.assertContains(response, "Sykkelveier i Midtbyen")
        self.assertContains(response, self.for_bym.organisation.name)
        self.assertContains(response, "Byutvikling og miljø")
        self.assertNotContains(response, "Skolehager")

    def test_unit_member_opens_the_units_inquiry(self) -> None:
        self.client.force_login(self.bruno)
        response = self.client.get(detail_url(self.for_bym))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, self.for_bym.reference)
        self.assertContains(response, self.for_bym.description)

    def test_another_units_member_gets_a_404_for_the_inquiry(self) -> None:
        self.client.force_login(self.chen)
        response = self.client.get(detail_url(self.for_bym))
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, "Sykkelveier i Midtbyen", status_code=404)

    def test_unit_member_gets_a_404_for_an_unrouted_inquiry(self) -> None:
        self.client.force_login(self.bruno)
        self.assertEqual(self.client.get(detail_url(self.unrouted)).status_code, 404)

    def test_secretariat_opens_any_inquiry(self) -> None:
        self.client.force_login(self.amina)
        for inquiry in (self.unrouted, self.for_bym, self.for_oppvekst):
            self.assertEqual(self.client.get(detail_url(inquiry)).status_code, 200)

    def test_deactivated_staff_are_refused(self) -> None:
        User.objects.filter(pk=self.amina.pk).update(is_active=False)
        self.client.force_login(self.amina)
        self.assertRedirects(self.client.get(LIST), f"/accounts/login/?next={LIST}")


class StaffListPaginationTests(PortalTestCase):
    inquiries: list[Inquiry]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        start = timezone.now() - datetime.timedelta(days=30)
        cls.inquiries = [
            make_inquiry(unit=cls.bym_unit, received_at=start + datetime.timedelta(hours=number))
            for number in range(STAFF_PAGE_SIZE + 5)
        ]

    def test_pages_hold_25_inquiries_newest_first(self) -> None:
        self.assertEqual(STAFF_PAGE_SIZE, 25)
        newest_first = self.inquiries[::-1]
        self.client.force_login(self.amina)
        first = self.client.get(LIST)
        self.assertEqual(list(first.context["inquiries"]), newest_first[:25])
        second = self.client.get(LIST, {"page": 2})
        self.assertEqual(list(second.context["inquiries"]), newest_first[25:])

    def test_pagination_links_say_where_you_are(self) -> None:
        self.client.force_login(self.amina)
        first = self.client.get(f"/en{LIST}")
        self.assertContains(first, "30 inquiries")
        self.assertContains(first, "Page 1 of 2")
        self.assertContains(
            first, '<a class="ds-button" data-variant="tertiary" href="?page=2" rel="next">Next page</a>', html=True
        )
        second = self.client.get(f"/en{LIST}", {"page": 2})
        self.assertContains(second, "Page 2 of 2")
        self.assertContains(
            second,
            '<a class="ds-button" data-variant="tertiary" href="?page=1" rel="prev">Previous page</a>',
            html=True,
        )

    def test_page_past_the_end_is_a_404(self) -> None:
        self.client.force_login(self.amina)
        self.assertEqual(self.client.get(LIST, {"page": 3}).status_code, 404)


class StaffListQueryBudgetTests(PortalTestCase):
    def count_queries(self, user: User) -> int:
        self.client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(LIST)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def make_inquiries(self, count: int) -> None:
        # Each with its own organisation, so a missing select_related would cost a query per row.
        for number in range(count):
            make_inquiry(unit=self.bym_unit if number % 2 else self.oppvekst_unit)

    def test_the_number_of_queries_does_not_grow_with_the_number_of_inquiries(self) -> None:
        self.make_inquiries(5)
        with_five = {user.email: self.count_queries(user) for user in (self.amina, self.bruno)}
        self.make_inquiries(25)
        with_thirty = {user.email: self.count_queries(user) for user in (self.amina, self.bruno)}
        self.assertEqual(with_thirty, with_five)

    def test_list_page_budget(self) -> None:
        self.make_inquiries(30)
        self.client.force_login(self.amina)
        # Session, user, the user's role groups, the staff and the units for the filters and bulk actions,
        # the count, the saved views, all the views' counts in one aggregate, the workload per person, the SDG
        # goals for the filter, and one page of inquiries with their organisations, contacts, units and owners.
        # The performance issue's budget is 12 for list pages.
        with self.assertNumQueries(11):
            self.client.get(LIST)


class PageSizeLinkTests(PortalTestCase):
    def test_the_rows_per_page_links_replace_the_size_instead_of_repeating_it(self) -> None:
        self.client.force_login(self.amina)
        response = self.client.get("/en/staff/", {"per_page": "50", "priority": "high"})
        html = response.content.decode()
        self.assertIn('href="?priority=high&amp;per_page=100"', html)
        self.assertNotIn("per_page=50&amp;per_page", html)
