from django.contrib.auth.models import Group
from django.utils import translation

from partners.models import MunicipalUnit, Role
from requests_app.models import SdgGoal, SdgTarget
from tests.base import PortalTestCase


class SdgReferenceDataTests(PortalTestCase):
    def test_all_17_goals_and_169_targets_are_loaded(self) -> None:
        self.assertEqual(list(SdgGoal.objects.values_list("number", flat=True)), list(range(1, 18)))
        self.assertEqual(SdgTarget.objects.count(), 169)

    def test_every_goal_and_target_has_a_bokmal_and_an_english_title(self) -> None:
        for goal in SdgGoal.objects.all():
            with self.subTest(goal=goal.number):
                self.assertTrue(goal.short_nb and goal.short_en and goal.title_nb and goal.title_en)
                self.assertNotEqual(goal.title_nb, goal.title_en)
        self.assertFalse(SdgTarget.objects.filter(title_nb="").exists())
        self.assertFalse(SdgTarget.objects.filter(title_en="").exists())

    def test_targets_belong_to_the_goal_their_code_names(self) -> None:
        for target in SdgTarget.objects.all():
            self.assertEqual(target.code.split(".")[0], str(target.goal_id))
        self.assertEqual(SdgTarget.objects.filter(goal=11).count(), 10)
        self.assertEqual(SdgTarget.objects.get(code="11.a").position, 8)

    def test_titles_follow_the_active_language(self) -> None:
        goal = SdgGoal.objects.get(number=11)
        with translation.override("nb"):
            self.assertEqual(goal.short, "Bærekraftige byer og lokalsamfunn")
        with translation.override("en"):
            self.assertEqual(goal.short, "Sustainable cities and communities")


class UnitAndRoleReferenceDataTests(PortalTestCase):
    def test_the_five_units_exist_and_only_the_secretariat_is_flagged(self) -> None:
        self.assertEqual(
            set(MunicipalUnit.objects.values_list("code", flat=True)),
            {"sekretariat", "bym", "oppvekst", "helse", "naering"},
        )
        self.assertEqual(
            list(MunicipalUnit.objects.filter(is_secretariat=True).values_list("code", flat=True)), ["sekretariat"]
        )

    def test_units_have_bokmal_and_english_names_and_an_e_mail_address(self) -> None:
        self.assertEqual(self.bym_unit.name_nb, "Byutvikling og miljø")
        with translation.override("en"):
            self.assertEqual(self.bym_unit.name, "Urban Development and Environment")
        self.assertFalse(MunicipalUnit.objects.filter(email="").exists())

    def test_the_role_groups_exist(self) -> None:
        self.assertEqual(
            set(Group.objects.filter(name__in=Role.values).values_list("name", flat=True)), set(Role.values)
        )
