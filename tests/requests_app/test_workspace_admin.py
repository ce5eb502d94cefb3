"""The secretariat's tools are editable in the admin: routing rules, reply templates, targets, saved views."""

from django.utils import translation

from requests_app.admin import RoutingRuleForm
from requests_app.models import ReplyTemplate, RoutingRule, ServiceTargets
from tests.base import PortalTestCase


class WorkspaceAdminTests(PortalTestCase):
    def test_every_tool_has_an_admin_list_and_change_page(self) -> None:
        self.client.force_login(self.admin)
        rule = RoutingRule.objects.first()
        template = ReplyTemplate.objects.first()
        assert rule is not None and template is not None
        for url in (
            "/admin/requests_app/routingrule/",
            f"/admin/requests_app/routingrule/{rule.pk}/change/",
            "/admin/requests_app/replytemplate/",
            f"/admin/requests_app/replytemplate/{template.pk}/change/",
            "/admin/requests_app/servicetargets/",
            f"/admin/requests_app/servicetargets/{ServiceTargets.current().pk}/change/",
            "/admin/requests_app/savedview/",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_a_rule_without_any_condition_is_refused(self) -> None:
        with translation.override("en"):
            form = RoutingRuleForm(data={"name": "Alt", "position": 5, "unit": self.bym_unit.pk, "is_active": "on"})
            self.assertFalse(form.is_valid())
            self.assertIn("at least one condition", str(form.non_field_errors()))

    def test_a_rule_with_types_and_kinds_is_saved_as_lists(self) -> None:
        form = RoutingRuleForm(
            data={
                "name": "Banker",
                "position": 5,
                "unit": self.bym_unit.pk,
                "inquiry_types": ["funding"],
                "organisation_kinds": ["financial", "company"],
                "is_active": "on",
            }
        )
        self.assertTrue(form.is_valid(), form.errors)
        rule = form.save()
        self.assertEqual(rule.inquiry_types, ["funding"])
        self.assertEqual(rule.organisation_kinds, ["financial", "company"])

    def test_the_targets_are_one_row_that_cannot_be_deleted(self) -> None:
        self.client.force_login(self.admin)
        ServiceTargets.current()
        self.assertEqual(self.client.get("/admin/requests_app/servicetargets/add/").status_code, 403)
        targets = ServiceTargets.current()
        self.assertEqual(self.client.get(f"/admin/requests_app/servicetargets/{targets.pk}/delete/").status_code, 403)

    def test_changed_targets_apply_to_new_inquiries(self) -> None:
        self.client.force_login(self.admin)
        targets = ServiceTargets.current()
        response = self.client.post(
            f"/admin/requests_app/servicetargets/{targets.pk}/change/",
            {
                "first_reply_business_days": 3,
                "decision_business_days": 15,
                "handshake_business_days": 4,
                "interim_reply_warning_business_days": 2,
            },
        )
        self.assertEqual(response.status_code, 302)
        targets.refresh_from_db()
        self.assertEqual(
            (targets.first_reply_business_days, targets.decision_business_days, targets.handshake_business_days),
            (3, 15, 4),
        )
