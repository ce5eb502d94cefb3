"""A person sees where they are logged in and can log out of every other session ("logout everywhere")."""

from django.test import Client

from partners.services import mark_email_verified
from tests.base import PASSWORD, PortalTestCase

LOGIN = "/accounts/login/"
SESSIONS = "/accounts/sessions/"


class LogoutEverywhereTests(PortalTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        mark_email_verified(cls.amina)

    def log_in(self, client: Client, agent: str) -> None:
        response = client.post(LOGIN, {"login": self.amina.email, "password": PASSWORD}, HTTP_USER_AGENT=agent)
        self.assertEqual(response.status_code, 302)

    def test_the_list_shows_each_session_and_logging_out_the_others_ends_them(self) -> None:
        laptop, phone = Client(), Client()
        self.log_in(laptop, "Laptop browser")
        self.log_in(phone, "Phone browser")
        page = laptop.get(SESSIONS)
        self.assertEqual(page.status_code, 200)
        self.assertTemplateUsed(page, "usersessions/usersession_list.html")
        self.assertContains(page, "Laptop browser")
        self.assertContains(page, "Phone browser")

        response = laptop.post(SESSIONS)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(laptop.get("/staff/").status_code, 200)  # this session goes on
        self.assertRedirects(phone.get("/staff/"), "/accounts/login/?next=/staff/")  # the other one has ended

    def test_anonymous_is_sent_to_login(self) -> None:
        response = self.client.get(SESSIONS)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])
