"""The write form on the inquiry page can start from a reply template, filled in for the inquiry."""

from requests_app.models import Inquiry, ReplyTemplate
from tests.base import PortalTestCase
from tests.factories import make_inquiry_in


class ReplyTemplatePickerTests(PortalTestCase):
    def test_the_templates_are_offered_and_a_chosen_one_fills_a_message_to_the_partner(self) -> None:
        inquiry = make_inquiry_in(Inquiry.Status.IN_TRIAGE, language="en")
        template = ReplyTemplate.objects.get(name="Ask for more information", language="en")
        self.client.force_login(self.amina)
        page = self.client.get(f"/en/staff/inquiries/{inquiry.pk}/")
        self.assertContains(page, f'href="?template={template.pk}#write"')
        self.assertEqual(page.context["write_form"].initial["kind"], "note")

        page = self.client.get(f"/en/staff/inquiries/{inquiry.pk}/", {"template": template.pk})
        initial = page.context["write_form"].initial
        self.assertEqual(initial["kind"], "message")
        self.assertEqual(initial["subject"], f"Question about your inquiry {inquiry.reference}")
        self.assertIn(f"Dear {inquiry.contact.name},", initial["body"])
        self.assertIn(inquiry.title, initial["body"])
        self.assertIn("Amina Haddad", initial["body"])

    def test_an_unknown_or_inactive_template_leaves_the_note(self) -> None:
        inquiry = make_inquiry_in(Inquiry.Status.IN_TRIAGE)
        template = ReplyTemplate.objects.get(name="Foreløpig svar", language="nb")
        template.is_active = False
        template.save(update_fields=["is_active"])
        self.client.force_login(self.amina)
        for value in (str(template.pk), "9999", "x"):
            with self.subTest(template=value):
                page = self.client.get(f"/en/staff/inquiries/{inquiry.pk}/", {"template": value})
                self.assertEqual(page.context["write_form"].initial, {"kind": "note"})
