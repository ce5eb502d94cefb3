"""Routing suggestions from the routing rules, why they were made, and whether the secretariat followed them."""

import datetime
from typing import Any

from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext

from partners.models import MunicipalUnit, Organisation
from partners.services import ContactDetails, OrganisationDetails
from requests_app.models import Inquiry, RoutingRule, SdgGoal
from requests_app.services.intake import submit_inquiry
from requests_app.services.lifecycle import route_inquiry
from requests_app.services.routing import Suggestion, suggest_unit
from tests.base import PortalTestCase
from tests.factories import make_inquiry_in

S = Inquiry.Status


def suggest(**overrides: Any) -> Suggestion | None:
    arguments: dict[str, Any] = {
        "title": "Samarbeid",
        "description": "Vi vil gjerne samarbeide med kommunen.",
        "inquiry_type": Inquiry.Type.PARTNERSHIP,
        "organisation_kind": Organisation.Kind.COMPANY,
        "goal_numbers": [],
    }
    arguments.update(overrides)
    return suggest_unit(**arguments)


class DefaultRuleTests(PortalTestCase):
    """The rules migration 0005 starts the secretariat with."""

    naering_unit: MunicipalUnit

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.naering_unit = MunicipalUnit.objects.get(code="naering")

    def test_sdg_11_and_the_word_mobilitet_suggest_byutvikling_og_miljo(self) -> None:
        suggestion = suggest(title="Ny mobilitetsplan for Midtbyen", goal_numbers=[11])
        assert suggestion is not None
        self.assertEqual(suggestion.unit, self.bym_unit)
        self.assertEqual(suggestion.rule.name, "Mobilitet i byen")
        self.assertEqual(suggestion.basis, {"rule": suggestion.rule.pk, "goals": [11], "word": "mobilitet"})

    def test_an_english_inquiry_about_cycling_with_goal_11_goes_to_bym(self) -> None:
        suggestion = suggest(
            title="Cycling lanes in the city centre",
            description="We would like to map how people cycle to school.",
            goal_numbers=[11],
        )
        assert suggestion is not None
        self.assertEqual(suggestion.unit, self.bym_unit)
        self.assertEqual(suggestion.basis["word"], "cycling")

    def test_goal_4_suggests_oppvekst_og_utdanning(self) -> None:
        suggestion = suggest(goal_numbers=[4])
        assert suggestion is not None
        self.assertEqual(suggestion.unit, self.oppvekst_unit)
        self.assertEqual(suggestion.basis["goals"], [4])

    def test_funding_from_a_financial_institution_suggests_naering_og_samfunn(self) -> None:
        suggestion = suggest(
            title="Grønne lån til kommunale prosjekter",
            description="Vi tilbyr gunstige lån.",
            inquiry_type=Inquiry.Type.FUNDING,
            organisation_kind=Organisation.Kind.FINANCIAL,
        )
        assert suggestion is not None
        self.assertEqual(suggestion.unit, self.naering_unit)
        self.assertEqual(suggestion.basis["inquiry_type"], "funding")
        self.assertEqual(suggestion.basis["organisation_kind"], "financial")

    def test_funding_from_a_company_is_not_the_financial_rule(self) -> None:
        self.assertIsNone(suggest(inquiry_type=Inquiry.Type.FUNDING, organisation_kind=Organisation.Kind.COMPANY))

    def test_nothing_matching_suggests_nothing(self) -> None:
        self.assertIsNone(suggest(title="Et ønske", description="Vi vil gjerne møtes.", goal_numbers=[16]))

    def test_goal_11_without_a_mobility_word_is_not_the_mobility_rule(self) -> None:
        self.assertIsNone(suggest(title="Kulturarv i byen", description="Et arkivprosjekt.", goal_numbers=[11]))


class RuleMatchingTests(PortalTestCase):
    """Rules made for each test, without the default ones."""

    helse_unit: MunicipalUnit

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        RoutingRule.objects.all().delete()
        cls.helse_unit = MunicipalUnit.objects.get(code="helse")

    def make_rule(self, unit: MunicipalUnit, *, goals: tuple[int, ...] = (), **fields: Any) -> RoutingRule:
        rule = RoutingRule.objects.create(name=f"Regel {RoutingRule.objects.count() + 1}", unit=unit, **fields)
        rule.sdg_goals.set(goals)
        return rule

    def test_a_keyword_matches_whole_words_that_start_with_it(self) -> None:
        self.make_rule(self.bym_unit, keywords="mobilitet")
        for text, matches in (
            ("Mobilitetsplan for Trondheim", True),
            ("MOBILITET i sentrum", True),
            ("Vi ser på bymobilitet", False),
            ("Mobil betaling", False),
        ):
            with self.subTest(text=text):
                suggestion = suggest(title=text)
                self.assertEqual(suggestion is not None, matches)

    def test_a_keyword_of_several_words_matches_them_in_a_row(self) -> None:
        self.make_rule(self.bym_unit, keywords="urban plan")
        self.assertIsNotNone(suggest(description="Research on urban planning methods."))
        self.assertIsNotNone(suggest(description="Research on Urban  plans."))
        self.assertIsNone(suggest(description="Planning an urban festival."))
        self.assertIsNone(suggest(description="Suburban planning."))

    def test_a_keyword_with_punctuation_matches_the_same_text(self) -> None:
        self.make_rule(self.bym_unit, keywords="e-mobilitet, CO2-utslipp, -")
        for text in ("Satsing på e-mobilitet", "Lavere co2-utslipp", "E-mobilitetsplan"):
            with self.subTest(text=text):
                suggestion = suggest(title=text)
                assert suggestion is not None
                self.assertEqual(suggestion.unit, self.bym_unit)
        self.assertIsNone(suggest(title="Mobilitet uten strøm - kanskje"))

    def test_keywords_are_found_in_the_description_too(self) -> None:
        self.make_rule(self.oppvekst_unit, keywords="skole, barnehage")
        suggestion = suggest(title="Et prosjekt", description="Vi vil jobbe med barnehager i Trondheim.")
        assert suggestion is not None
        self.assertEqual(suggestion.basis["word"], "barnehage")

    def test_every_filled_in_condition_must_match(self) -> None:
        self.make_rule(
            self.bym_unit, goals=(11,), keywords="sykkel", inquiry_types=["pilot"], organisation_kinds=["company"]
        )
        complete: dict[str, Any] = {"title": "Sykkelparkering", "inquiry_type": "pilot", "goal_numbers": [11]}
        self.assertIsNotNone(suggest(**complete))
        for missing in (
            {"title": "Parkering"},
            {"inquiry_type": "research"},
            {"goal_numbers": [3]},
            {"organisation_kind": "ngo"},
        ):
            with self.subTest(missing=missing):
                self.assertIsNone(suggest(**{**complete, **missing}))

    def test_the_rule_with_the_lowest_priority_number_wins(self) -> None:
        self.make_rule(self.oppvekst_unit, position=50, goals=(4,))
        self.make_rule(self.bym_unit, position=10, goals=(4,))
        suggestion = suggest(goal_numbers=[4])
        assert suggestion is not None
        self.assertEqual(suggestion.unit, self.bym_unit)

    def test_with_equal_priority_the_older_rule_wins(self) -> None:
        self.make_rule(self.oppvekst_unit, position=10, goals=(4,))
        self.make_rule(self.bym_unit, position=10, goals=(4,))
        suggestion = suggest(goal_numbers=[4])
        assert suggestion is not None
        self.assertEqual(suggestion.unit, self.oppvekst_unit)

    def test_inactive_rules_are_skipped(self) -> None:
        self.make_rule(self.oppvekst_unit, position=10, goals=(4,), is_active=False)
        self.make_rule(self.bym_unit, position=20, goals=(4,))
        suggestion = suggest(goal_numbers=[4])
        assert suggestion is not None
        self.assertEqual(suggestion.unit, self.bym_unit)

    def test_units_not_accepting_inquiries_are_skipped(self) -> None:
        MunicipalUnit.objects.filter(pk=self.helse_unit.pk).update(accepts_inquiries=False)
        self.make_rule(self.helse_unit, position=10, goals=(3,))
        self.make_rule(self.oppvekst_unit, position=20, goals=(3,))
        suggestion = suggest(goal_numbers=[3])
        assert suggestion is not None
        self.assertEqual(suggestion.unit, self.oppvekst_unit)

    def test_a_rule_without_conditions_matches_nothing(self) -> None:
        self.make_rule(self.bym_unit, position=1)
        self.assertIsNone(suggest(goal_numbers=[11]))

    def test_the_number_of_queries_does_not_grow_with_the_number_of_rules(self) -> None:
        units = [self.bym_unit, self.oppvekst_unit, self.helse_unit]
        arguments: dict[str, Any] = {"title": "Ingenting som passer", "goal_numbers": [16]}

        def add_rules(count: int) -> None:
            for number in range(count):
                self.make_rule(units[number % 3], goals=(number % 15 + 1,), keywords=f"ord{number}, annet{number}")

        add_rules(3)
        with self.assertNumQueries(1):
            self.assertIsNone(suggest(**arguments))
        add_rules(27)
        self.assertEqual(RoutingRule.objects.count(), 30)
        with self.assertNumQueries(1):
            self.assertIsNone(suggest(**arguments))


class SuggestionReasonTests(PortalTestCase):
    def test_the_reason_names_the_goal_the_word_and_the_unit_in_bokmal(self) -> None:
        inquiry = make_inquiry_in(
            S.RECEIVED, suggested_unit=self.bym_unit, suggestion_basis={"rule": 1, "goals": [11], "word": "mobilitet"}
        )
        with translation.override("nb"):
            reason = inquiry.suggestion_reason
            goals = gettext("SDG %(goals)s") % {"goals": "11"}
            word = gettext("the word “%(word)s”") % {"word": "mobilitet"}
        # The reason is a sentence: its first word starts with a capital letter.
        self.assertTrue(reason.startswith(capfirst(goals)), reason)
        self.assertIn(word, reason)
        self.assertTrue(reason.endswith("Byutvikling og miljø"), reason)

    def test_the_reason_in_english(self) -> None:
        inquiry = make_inquiry_in(
            S.RECEIVED, suggested_unit=self.bym_unit, suggestion_basis={"rule": 1, "goals": [11], "word": "mobilitet"}
        )
        with translation.override("en"):
            self.assertEqual(
                inquiry.suggestion_reason, "SDG 11 and the word “mobilitet” → Urban Development and Environment"
            )

    def test_the_reason_names_the_type_and_the_kind_of_organisation(self) -> None:
        inquiry = make_inquiry_in(
            S.RECEIVED,
            suggested_unit=MunicipalUnit.objects.get(code="naering"),
            suggestion_basis={"rule": 1, "inquiry_type": "funding", "organisation_kind": "financial"},
        )
        for language in ("nb", "en"):
            with self.subTest(language=language), translation.override(language):
                reason = inquiry.suggestion_reason
                self.assertIn(str(Inquiry.Type.FUNDING.label), reason)
                self.assertIn(str(Organisation.Kind.FINANCIAL.label), reason)
                self.assertIn(MunicipalUnit.objects.get(code="naering").name, reason)

    def test_several_goals_are_listed(self) -> None:
        inquiry = make_inquiry_in(S.RECEIVED, suggested_unit=self.bym_unit, suggestion_basis={"goals": [7, 13]})
        with translation.override("en"):
            self.assertEqual(inquiry.suggestion_reason, "SDG 7, 13 → Urban Development and Environment")

    def test_no_suggestion_has_no_reason(self) -> None:
        self.assertEqual(make_inquiry_in(S.RECEIVED).suggestion_reason, "")


class SuggestionAtIntakeTests(PortalTestCase):
    def submit(self, **overrides: Any) -> Inquiry:
        arguments: dict[str, Any] = {
            "organisation": OrganisationDetails(name="Trondheim Bysykkel AS", kind="company", country="NO"),
            "contact": ContactDetails(name="Ola Hansen", email="ola@bysykkel.example"),
            "title": "Mobilitetsplan med bysykler",
            "description": "Vi vil bidra til kommunens mobilitetsplan.",
            "inquiry_type": Inquiry.Type.PARTNERSHIP,
            "language": "nb",
            "sdg_goals": [SdgGoal.objects.get(number=11)],
            "send_receipt": False,
            "now": datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC),
        }
        arguments.update(overrides)
        return submit_inquiry(**arguments)

    def test_submit_inquiry_stores_the_suggested_unit_and_what_it_was_based_on(self) -> None:
        inquiry = self.submit()
        inquiry.refresh_from_db()
        rule = RoutingRule.objects.get(name="Mobilitet i byen")
        self.assertEqual(inquiry.suggested_unit, self.bym_unit)
        self.assertEqual(inquiry.suggestion_basis, {"rule": rule.pk, "goals": [11], "word": "mobilitet"})
        self.assertIsNone(inquiry.suggestion_accepted)
        self.assertEqual(inquiry.events.get().data["suggested_unit"], self.bym_unit.pk)

    def test_a_goal_given_only_through_a_target_counts(self) -> None:
        from requests_app.models import SdgTarget

        inquiry = self.submit(sdg_goals=[], sdg_targets=[SdgTarget.objects.get(code="11.2")])
        self.assertEqual(inquiry.suggested_unit, self.bym_unit)

    def test_without_a_match_nothing_is_suggested(self) -> None:
        inquiry = self.submit(title="Et møte", description="Vi vil gjerne møtes.", sdg_goals=[])
        inquiry.refresh_from_db()
        self.assertIsNone(inquiry.suggested_unit)
        self.assertEqual(inquiry.suggestion_basis, {})
        self.assertIsNone(inquiry.events.get().data["suggested_unit"])


class SuggestionAcceptedTests(PortalTestCase):
    def make_suggested(self) -> Inquiry:
        return make_inquiry_in(S.IN_TRIAGE, suggested_unit=self.bym_unit, suggestion_basis={"goals": [11]})

    def test_following_the_suggestion_is_recorded(self) -> None:
        inquiry = self.make_suggested()
        route_inquiry(inquiry, unit=self.bym_unit, actor=self.amina)
        inquiry.refresh_from_db()
        self.assertIs(inquiry.suggestion_accepted, True)
        self.assertEqual(inquiry.events.get().data["suggested_unit"], self.bym_unit.pk)

    def test_overriding_the_suggestion_is_recorded(self) -> None:
        inquiry = self.make_suggested()
        route_inquiry(inquiry, unit=self.oppvekst_unit, actor=self.amina)
        inquiry.refresh_from_db()
        self.assertIs(inquiry.suggestion_accepted, False)

    def test_only_the_first_routing_counts(self) -> None:
        overridden = self.make_suggested()
        route_inquiry(overridden, unit=self.oppvekst_unit, actor=self.amina)
        route_inquiry(overridden, unit=self.bym_unit, actor=self.amina)
        overridden.refresh_from_db()
        self.assertIs(overridden.suggestion_accepted, False)

        followed = self.make_suggested()
        route_inquiry(followed, unit=self.bym_unit, actor=self.amina)
        route_inquiry(followed, unit=self.oppvekst_unit, actor=self.amina)
        followed.refresh_from_db()
        self.assertIs(followed.suggestion_accepted, True)

    def test_without_a_suggestion_nothing_is_recorded(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        route_inquiry(inquiry, unit=self.bym_unit, actor=self.amina)
        inquiry.refresh_from_db()
        self.assertIsNone(inquiry.suggestion_accepted)
