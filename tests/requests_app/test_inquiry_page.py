"""The staff's inquiry page at /staff/inquiries/<id>/ and its actions, posted to /staff/inquiries/<id>/<action>/."""

import datetime
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest import mock

from django.core import mail
from django.db import connection
from django.forms.renderers import TemplatesSetting
from django.template import engines
from django.template.defaultfilters import date as date_filter
from django.test.utils import CaptureQueriesContext
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext

from partners.models import Role, User
from requests_app.form_rendering import FIELD_RENDERER
from requests_app.forms import ConversationForm
from requests_app.models import Inquiry, InquiryEvent, InquiryMessage
from requests_app.permissions import Action
from requests_app.selectors import AttachmentLink, TimelineEntry
from requests_app.services import conversation, editing, lifecycle
from requests_app.templatetags.inquiry_tags import action_label
from requests_app.timeline_rendering import render_timeline
from tests.base import PortalTestCase, make_user
from tests.factories import make_contact, make_inquiry, make_inquiry_in, make_organisation

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

S = Inquiry.Status
SECRETARIAT_ONLY = {"triage", "route", "spam", "duplicate", "reopen"}


def page_url(inquiry: Inquiry) -> str:
    return f"/en/staff/inquiries/{inquiry.pk}/"


def action_url(inquiry: Inquiry, action: str) -> str:
    return f"/en/staff/inquiries/{inquiry.pk}/{action}/"


class PageForms(HTMLParser):
    """The forms of a page by their action URL, each with what a browser would submit (checked boxes only)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, list[str]]] = {}
        self._form: dict[str, list[str]] | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        name = attributes.get("name") or ""
        if tag == "form":
            self._form = self.forms.setdefault(attributes.get("action") or "", {})
        elif self._form is None or not (name or tag == "option"):
            return
        elif tag == "input":
            values = self._form.setdefault(name, [])
            if attributes.get("type") not in {"checkbox", "radio"} or "checked" in attributes:
                values.append(attributes.get("value") or "")
        elif tag == "textarea":
            self._textarea = name
            self._form.setdefault(name, []).append("")
        elif tag == "select":
            self._select = name
            self._form.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attributes:
            self._form[self._select].append(attributes.get("value") or "")

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form[self._textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._form is not None and self._textarea:
            # Browsers drop the newline that Django writes after <textarea>.
            self._form[self._textarea][-1] = self._form[self._textarea][-1].removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None


def forms_on(response: "TestResponse") -> dict[str, dict[str, list[str]]]:
    return PageForms(response.content.decode()).forms


def offered_actions(response: "TestResponse", inquiry: Inquiry) -> set[str]:
    """The actions the page offers, by their slug: a form posting to the action's URL, or (for actions that
    need input) the link that opens that form on the page (?action=<slug>)."""
    prefix = f"/en/staff/inquiries/{inquiry.pk}/"
    posted = {url.removeprefix(prefix).rstrip("/") for url in forms_on(response) if url.startswith(prefix)}
    opened = set(re.findall(r'href="\?action=([a-z-]+)#', response.content.decode()))
    return posted | opened


def messages_of(response: "TestResponse") -> list[str]:
    return [str(message) for message in response.context["messages"]]


class InquiryPageTestCase(PortalTestCase):
    def open(self, inquiry: Inquiry, user: User | None = None, *, action: str = "") -> "TestResponse":
        """The page, with the form of `action` opened (forms that need input are built only when opened)."""
        self.client.force_login(user or self.amina)
        response = self.client.get(page_url(inquiry), {"action": action} if action else {})
        self.assertEqual(response.status_code, 200)
        return response

    def post(self, inquiry: Inquiry, action: str, data: dict[str, Any] | None = None, **extra: Any) -> "TestResponse":
        return self.client.post(action_url(inquiry, action), data or {}, **extra)


class AccessTests(InquiryPageTestCase):
    inquiry: Inquiry

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.inquiry = make_inquiry_in(S.ROUTED, title="Sykkelveier i Midtbyen")

    def test_anonymous_goes_to_login_from_the_page_and_from_an_action(self) -> None:
        url = page_url(self.inquiry)
        self.assertRedirects(self.client.get(url), f"/en/accounts/login/?next={url}")
        post = self.post(self.inquiry, "accept")
        self.assertRedirects(post, f"/en/accounts/login/?next={action_url(self.inquiry, 'accept')}")
        self.assertFalse(self.inquiry.events.exists())

    def test_a_signed_in_partner_is_refused(self) -> None:
        self.client.force_login(self.partner)
        self.assertEqual(self.client.get(page_url(self.inquiry)).status_code, 403)
        self.assertEqual(self.post(self.inquiry, "accept").status_code, 403)
        self.assertFalse(self.inquiry.events.exists())

    def test_another_units_member_gets_a_404_for_the_page_and_every_action(self) -> None:
        self.client.force_login(self.chen)
        response = self.client.get(page_url(self.inquiry))
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, "Sykkelveier i Midtbyen", status_code=404)
        for action in Action:
            with self.subTest(action=action.value):
                self.assertEqual(self.post(self.inquiry, action.value, {"write-body": "x"}).status_code, 404)
        self.assertFalse(self.inquiry.events.exists())
        self.assertEqual(Inquiry.objects.get(pk=self.inquiry.pk).version, self.inquiry.version)

    def test_an_executive_reads_the_page_but_has_no_actions(self) -> None:
        response = self.open(self.inquiry, self.dina)
        self.assertEqual(offered_actions(response, self.inquiry), set())
        self.assertEqual(self.post(self.inquiry, "accept").status_code, 403)
        self.assertFalse(self.inquiry.events.exists())

    def test_actions_are_posts_only(self) -> None:
        self.client.force_login(self.amina)
        self.assertEqual(self.client.get(action_url(self.inquiry, "accept")).status_code, 405)


class OfferedActionTests(InquiryPageTestCase):
    def test_a_unit_member_is_offered_the_units_actions_and_none_of_the_secretariats(self) -> None:
        expected = {
            S.RECEIVED: {
                "request-information", "partner-reply", "withdraw", "edit", "assign", "assign-to-me",
                "collaborators", "write", "interim-reply", "send-status-link",
            },
            S.ROUTED: {
                "accept", "decline", "request-information", "partner-reply", "decide", "withdraw", "edit", "assign",
                "assign-to-me", "collaborators", "write", "interim-reply", "send-status-link",
            },
            S.DECIDED: {
                "partner-reply", "close", "edit", "assign", "assign-to-me", "collaborators", "write", "follow-up",
                "send-status-link",
            },
            S.CLOSED: {"edit", "assign", "assign-to-me", "collaborators", "follow-up", "send-status-link"},
        }  # fmt: skip
        for status, actions in expected.items():
            with self.subTest(status=status):
                inquiry = make_inquiry_in(status, unit=self.bym_unit)
                offered = offered_actions(self.open(inquiry, self.bruno), inquiry)
                self.assertEqual(offered, actions)
                self.assertFalse(offered & SECRETARIAT_ONLY)

    def test_the_secretariat_is_offered_its_own_actions_too(self) -> None:
        cases = {
            S.RECEIVED: {"triage", "route", "spam", "duplicate"},
            S.ROUTED: {"route", "duplicate", "accept"},
            S.CLOSED: {"reopen"},
        }
        for status, actions in cases.items():
            with self.subTest(status=status):
                inquiry = make_inquiry_in(status, unit=self.bym_unit)
                self.assertLessEqual(actions, offered_actions(self.open(inquiry), inquiry))

    def test_the_owner_is_not_offered_to_assign_it_to_themselves(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, owner=self.bruno)
        offered = offered_actions(self.open(inquiry, self.bruno), inquiry)
        self.assertNotIn("assign-to-me", offered)
        self.assertIn("assign", offered)


class ActionPostTests(InquiryPageTestCase):
    def assertUnchanged(self, inquiry: Inquiry) -> None:
        stored = Inquiry.objects.get(pk=inquiry.pk)
        self.assertEqual((stored.status, stored.unit_id, stored.version), (inquiry.status, inquiry.unit_id, 1))
        self.assertFalse(stored.events.exists())

    def test_an_action_the_status_does_not_allow_is_refused_and_what_was_typed_is_shown(self) -> None:
        inquiry = make_inquiry_in(S.RECEIVED)
        self.client.force_login(self.amina)
        response = self.post(inquiry, "close")
        self.assertEqual(response.status_code, 409)
        with translation.override("en"):
            expected = gettext("This can no longer be done: the inquiry is now “%(status)s”. Nothing was saved.") % {
                "status": str(Inquiry.Status.RECEIVED.label)
            }
        self.assertIn(expected, messages_of(response))
        response = self.post(inquiry, "reopen", {"reopen-reason": "Partneren ba oss se på saken igjen."})
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "Partneren ba oss se på saken igjen.", status_code=409)
        self.assertUnchanged(inquiry)

    def test_an_action_the_role_does_not_allow_is_refused(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED)
        self.client.force_login(self.bruno)
        self.assertEqual(self.post(inquiry, "route", {"route-unit": self.oppvekst_unit.pk}).status_code, 403)
        self.assertEqual(self.post(inquiry, "duplicate", {"duplicate-original": "2026-0001"}).status_code, 403)
        self.assertUnchanged(inquiry)

    def test_an_unknown_action_is_a_404(self) -> None:
        inquiry = make_inquiry_in(S.RECEIVED)
        self.client.force_login(self.amina)
        self.assertEqual(self.post(inquiry, "delete").status_code, 404)
        self.assertEqual(self.post(inquiry, "TRIAGE").status_code, 404)
        self.assertUnchanged(inquiry)

    def test_a_valid_action_redirects_to_the_page_with_a_message_and_writes_its_event(self) -> None:
        cases: list[tuple[str, User, str, dict[str, Any], str, str]] = [
            (S.RECEIVED, self.amina, "triage", {}, InquiryEvent.Kind.TRIAGE_STARTED, "{ref} is in triage."),
            (
                S.IN_TRIAGE,
                self.amina,
                "route",
                {"route-unit": self.bym_unit.pk, "route-note": "Gjelder sykkelveier."},
                InquiryEvent.Kind.ROUTED,
                "{ref} is routed to the unit.",
            ),
            (S.ROUTED, self.bruno, "accept", {}, InquiryEvent.Kind.ACCEPTED, "You have accepted {ref}."),
            (
                S.IN_PROGRESS,
                self.bruno,
                "decide",
                {
                    "decide-type": "knowledge_shared",
                    "decide-decided_on": timezone.localdate().isoformat(),
                    "decide-summary": "Vi holdt et møte og delte erfaringer.",
                },
                InquiryEvent.Kind.DECIDED,
                "The decision on {ref} and its outcome are recorded.",
            ),
            (
                S.ROUTED,
                self.bruno,
                "decline",
                {"decline-reason": "Gjelder næringsutvikling, ikke byutvikling."},
                InquiryEvent.Kind.REFERRAL_DECLINED,
                "{ref} is declined and back with the secretariat.",
            ),
            (S.DECIDED, self.bruno, "close", {}, InquiryEvent.Kind.CLOSED, "{ref} is closed."),
            (S.ROUTED, self.bruno, "assign-to-me", {}, InquiryEvent.Kind.OWNER_CHANGED, "You own {ref} now."),
        ]
        for status, user, action, data, kind, message in cases:
            with self.subTest(action=action):
                inquiry = make_inquiry_in(status)
                self.client.force_login(user)
                response = self.post(inquiry, action, data, follow=True)
                # A declined inquiry leaves the unit: its member lands on their list instead of a 404.
                landing = "/en/staff/" if action == "decline" else page_url(inquiry)
                self.assertRedirects(response, landing)
                self.assertIn(message.format(ref=inquiry.reference), messages_of(response))
                event = inquiry.events.get()
                self.assertEqual((event.kind, event.actor), (kind, user))
        routed = InquiryEvent.objects.get(kind=InquiryEvent.Kind.ROUTED)
        self.assertEqual(routed.data["note"], "Gjelder sykkelveier.")
        self.assertEqual(routed.inquiry.unit, self.bym_unit)

    def test_an_invalid_form_is_shown_again_with_an_error_summary_and_what_was_typed(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        self.client.force_login(self.amina)
        response = self.post(inquiry, "decide", {"decide-type": "", "decide-summary": "Vi signerer en avtale."})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, 'id="error-summary"', status_code=400)
        self.assertContains(response, '<a href="#id_decide-type">Choose what came of the inquiry.</a>', status_code=400)
        self.assertEqual(
            forms_on(response)[action_url(inquiry, "decide")]["decide-summary"], ["Vi signerer en avtale."]
        )
        self.assertUnchanged(inquiry)
        # The rules of the outcome's type are shown by field, with what was typed kept.
        response = self.post(
            inquiry,
            "decide",
            {
                "decide-type": "agreement",
                "decide-decided_on": timezone.localdate().isoformat(),
                "decide-summary": "Vi signerer en avtale.",
                "decide-partners_involved": [inquiry.organisation_id],
            },
        )
        self.assertEqual(response.status_code, 400)
        for field, message in (
            ("sdg_targets_0", "Choose at least one SDG target the collaboration addresses."),
            ("follow_up_on", "Set a date to follow up the effect of the collaboration."),
        ):
            self.assertContains(response, f'<a href="#id_decide-{field}">{message}</a>', status_code=400)
        self.assertEqual(
            forms_on(response)[action_url(inquiry, "decide")]["decide-summary"], ["Vi signerer en avtale."]
        )
        self.assertUnchanged(inquiry)

        triaged = make_inquiry_in(S.IN_TRIAGE)
        response = self.post(triaged, "route", {"route-unit": "", "route-note": "Gjelder skolehager."})
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response, '<a href="#id_route-unit">Choose the unit that should handle the inquiry.</a>', status_code=400
        )
        self.assertEqual(forms_on(response)[action_url(triaged, "route")]["route-note"], ["Gjelder skolehager."])
        self.assertUnchanged(triaged)

    def test_a_transition_refused_by_the_service_shows_its_translated_error_and_keeps_the_input(self) -> None:
        inquiry = make_inquiry_in(S.IN_TRIAGE)
        self.open(inquiry)  # Amina opens the page while the inquiry is in triage ...
        elin = make_user("elin@trondheim.kommune.no", full_name="Elin Vik", groups=(Role.SECRETARIAT,))
        lifecycle.route_inquiry(inquiry, unit=self.bym_unit, actor=elin)  # ... and Elin routes it meanwhile.
        response = self.post(inquiry, "route", {"route-unit": self.bym_unit.pk, "route-note": "Sykkel, ikke skole."})
        self.assertEqual(response.status_code, 409)
        with translation.override("en"):
            expected = gettext("The inquiry is already routed to %(unit)s.") % {"unit": self.bym_unit.name}
        self.assertEqual(expected, "The inquiry is already routed to Urban Development and Environment.")
        self.assertIn(expected, messages_of(response))
        self.assertContains(response, expected, status_code=409)
        route_form = forms_on(response)[action_url(inquiry, "route")]
        self.assertEqual(route_form["route-note"], ["Sykkel, ikke skole."])
        self.assertEqual(inquiry.events.count(), 1)  # only Elin's

    def test_the_refusal_is_in_the_pages_language(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED)
        self.client.force_login(self.amina)
        response = self.client.post(f"/staff/inquiries/{inquiry.pk}/route/", {"route-unit": self.bym_unit.pk})
        self.assertEqual(response.status_code, 409)
        with translation.override("nb"):
            expected = gettext("The inquiry is already routed to %(unit)s.") % {"unit": self.bym_unit.name}
        self.assertIn(expected, messages_of(response))


class StaleEditTests(InquiryPageTestCase):
    def test_a_save_from_a_stale_page_is_refused_with_what_changed_and_keeps_the_input(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, inquiry_type=Inquiry.Type.PARTNERSHIP, sdg_goals=[4])
        page = self.open(inquiry, action="edit")  # version 1
        edit = forms_on(page)[action_url(inquiry, "edit")]
        self.assertEqual(edit["edit-version"], ["1"])
        self.assertEqual(edit["edit-sdg_goals"], ["4"])
        # Bruno raises the priority meanwhile.
        editing.update_inquiry_details(inquiry, priority=Inquiry.Priority.HIGH, expected_version=1, actor=self.bruno)
        edit.update({"edit-inquiry_type": ["pilot"], "edit-sdg_goals": ["11", "13"]})
        response = self.client.post(action_url(inquiry, "edit"), edit)

        self.assertEqual(response.status_code, 409)
        changes = response.content.decode().split('id="stale-changes"')[1].split("</div>")[0]
        self.assertIn("Priority changed", changes)
        self.assertIn("(Bruno Solberg)", changes)
        self.assertEqual([str(event.kind) for event in response.context["stale"].changes], ["inquiry.priority_changed"])
        stored = Inquiry.objects.get(pk=inquiry.pk)
        self.assertEqual(stored.inquiry_type, Inquiry.Type.PARTNERSHIP)
        self.assertEqual(list(stored.sdg_goals.values_list("number", flat=True)), [4])
        self.assertEqual(stored.events.exclude(actor=self.bruno).count(), 0)
        kept = forms_on(response)[action_url(inquiry, "edit")]
        self.assertEqual(kept["edit-inquiry_type"], ["pilot"])
        self.assertEqual(kept["edit-sdg_goals"], ["11", "13"])

    def test_after_seeing_the_changes_the_kept_input_can_be_saved(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, sdg_goals=[4])
        edit = forms_on(self.open(inquiry, action="edit"))[action_url(inquiry, "edit")]
        editing.update_inquiry_details(inquiry, priority=Inquiry.Priority.HIGH, expected_version=1, actor=self.bruno)
        edit.update({"edit-priority": ["high"], "edit-sdg_goals": ["11"]})
        conflict = self.client.post(action_url(inquiry, "edit"), edit)
        self.assertEqual(conflict.status_code, 409)
        again = forms_on(conflict)[action_url(inquiry, "edit")]
        self.assertEqual(again["edit-version"], ["2"])  # the version the user has now seen
        response = self.client.post(action_url(inquiry, "edit"), again)
        self.assertRedirects(response, page_url(inquiry), fetch_redirect_response=False)
        stored = Inquiry.objects.get(pk=inquiry.pk)
        self.assertEqual(list(stored.sdg_goals.values_list("number", flat=True)), [11])
        self.assertEqual(stored.priority, Inquiry.Priority.HIGH)


class ConversationTests(InquiryPageTestCase):
    def test_the_write_form_starts_on_the_internal_note(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED)
        response = self.open(inquiry)
        self.assertEqual(forms_on(response)[action_url(inquiry, "write")]["write-kind"], ["note"])
        self.assertRegex(response.content.decode(), r'<input type="radio" name="write-kind" value="note"[^>]* checked')
        self.assertNotRegex(
            response.content.decode(), r'<input type="radio" name="write-kind" value="message"[^>]* checked'
        )

    def test_a_note_is_never_emailed_and_is_shown_as_an_internal_note(self) -> None:
        inquiry = make_inquiry_in(S.ROUTED)
        self.client.force_login(self.bruno)
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            response = self.post(inquiry, "write", {"write-kind": "note", "write-body": "Ring dem på fredag."})
        self.assertRedirects(response, page_url(inquiry), fetch_redirect_response=False)
        self.assertEqual(callbacks, [])
        self.assertEqual(mail.outbox, [])
        note = InquiryMessage.objects.get()
        self.assertEqual((note.kind, note.author, note.sent_at), (InquiryMessage.Kind.NOTE, self.bruno, None))
        entry = timeline_entries(self.client.get(page_url(inquiry)))[-1]
        self.assertEqual(entry[0], "note")
        self.assertIn("Internal note", entry[1])
        self.assertIn("Ring dem på fredag.", entry[1])

    def test_a_message_is_emailed_to_the_contact_in_the_partners_language(self) -> None:
        cases = {"en": "Please quote your reference if you write to us.", "nb": ""}
        with translation.override("nb"):
            cases["nb"] = gettext("Please quote your reference if you write to us.")
        for language, footer in cases.items():
            with self.subTest(language=language):
                mail.outbox.clear()
                inquiry = make_inquiry_in(
                    S.ROUTED, language=language, contact=make_contact(email=f"{language}@x.example")
                )
                self.client.force_login(self.amina)
                data = {"write-kind": "message", "write-subject": "Møte", "write-body": "Passer tirsdag kl. 10?"}
                with self.captureOnCommitCallbacks(execute=True):
                    response = self.post(inquiry, "write", data, follow=True)
                self.assertIn(f"Saved in {inquiry.reference}.", messages_of(response))
                self.assertEqual(len(mail.outbox), 1)
                email = mail.outbox[0]
                self.assertEqual(email.to, [f"{language}@x.example"])
                self.assertEqual(email.subject, "Møte")
                self.assertEqual(email.extra_headers["Content-Language"], language)
                self.assertIn("Passer tirsdag kl. 10?", email.body)
                self.assertIn(footer, email.body)
                message = InquiryMessage.objects.get(inquiry=inquiry)
                self.assertEqual(message.kind, InquiryMessage.Kind.TO_PARTNER)
                self.assertIsNotNone(message.sent_at)
                kind, text = timeline_entries(response)[-1]
                self.assertEqual(kind, "to_partner")
                self.assertIn("Message to the partner", text)
                self.assertIn("Passer tirsdag kl. 10?", text)
        self.assertNotEqual(cases["nb"], cases["en"])

    def test_asking_for_more_information_starts_from_the_template_in_the_partners_language(self) -> None:
        for language, greeting, subject in (
            ("nb", "Hei Åse Bærø,", "Spørsmål om henvendelsen"),
            ("en", "Dear Åse Bærø,", "Question about your inquiry"),
        ):
            with self.subTest(language=language):
                mail.outbox.clear()
                inquiry = make_inquiry_in(S.IN_PROGRESS, language=language, contact=make_contact(name="Åse Bærø"))
                form = forms_on(self.open(inquiry, action="request-information"))[
                    action_url(inquiry, "request-information")
                ]
                self.assertEqual(form["request-information-subject"], [f"{subject} {inquiry.reference}"])
                body = form["request-information-body"][0]
                self.assertTrue(body.startswith(greeting), body)
                self.assertIn(inquiry.title, body)
                self.assertIn("Amina Haddad", body)
                with self.captureOnCommitCallbacks(execute=True):
                    response = self.client.post(action_url(inquiry, "request-information"), form, follow=True)
                self.assertRedirects(response, page_url(inquiry))
                inquiry.refresh_from_db()
                self.assertEqual(inquiry.status, S.AWAITING_PARTNER)
                self.assertEqual(inquiry.events.get().kind, InquiryEvent.Kind.INFORMATION_REQUESTED)
                self.assertEqual(mail.outbox[0].to, [inquiry.contact.email])
                self.assertTrue(mail.outbox[0].body.startswith(greeting))


class TimelineDrawingTests(InquiryPageTestCase):
    """What the timeline writes without Django's own helpers for it (they cost the most on a long timeline)."""

    def test_each_time_is_written_as_the_date_filter_writes_it(self) -> None:
        moments = [
            datetime.datetime(2026, 3, 29, 0, 59, tzinfo=datetime.UTC),  # an hour before summer time
            datetime.datetime(2026, 3, 29, 1, 0, tzinfo=datetime.UTC),
            datetime.datetime(2026, 10, 25, 0, 30, tzinfo=datetime.UTC),
            datetime.datetime(2026, 10, 25, 1, 30, tzinfo=datetime.UTC),
            datetime.datetime(2025, 12, 31, 23, 59, 59, 999_999, tzinfo=datetime.UTC),
            timezone.now(),
        ]
        for language in ("en", "nb"):
            for moment in moments:
                with self.subTest(language=language, moment=moment), translation.override(language):
                    local = timezone.localtime(moment)
                    entry = TimelineEntry(at=moment)
                    self.assertEqual(entry.at_iso, date_filter(local, "c"))
                    self.assertEqual(entry.at_text, date_filter(local, "SHORT_DATETIME_FORMAT"))

    def test_a_format_with_other_letters_is_left_to_django(self) -> None:
        moment = datetime.datetime(2026, 5, 17, 10, 5, tzinfo=datetime.UTC)
        with translation.override("en"), mock.patch("requests_app.selectors.get_format", return_value="N j, Y, P"):
            self.assertEqual(
                TimelineEntry(at=moment).at_text, dateformat.format(timezone.localtime(moment), "N j, Y, P")
            )

    def test_the_kinds_and_a_moved_message_are_named(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS)
        duplicate = make_inquiry_in(S.DUPLICATE)
        InquiryMessage.objects.create(
            inquiry=inquiry, kind=InquiryMessage.Kind.FROM_PARTNER, body="Flyttet hit", moved_from=duplicate
        )
        InquiryEvent.objects.create(inquiry=inquiry, kind=InquiryEvent.Kind.PRIORITY_CHANGED, actor=self.amina)
        kinds = dict(timeline_entries(self.open(inquiry)))
        self.assertIn(f"Message from the partner (moved from {duplicate.reference})", kinds["from_partner"])
        self.assertIn("Priority changed", kinds["event"])

    def test_the_write_form_is_drawn_as_its_templates_draw_it(self) -> None:
        for language in ("en", "nb"):
            for data in (None, {"write-kind": "message", "write-subject": "Om <møtet> & mer"}):
                drawn = []
                for renderer in (TemplatesSetting(), FIELD_RENDERER):
                    with translation.override(language):
                        form = ConversationForm(data, initial={"kind": ConversationForm.NOTE}, prefix="write")
                        form.renderer = renderer
                        form.is_valid()
                        drawn.append([form[name].as_field_group() for name in form.fields])
                with self.subTest(language=language, bound=data is not None):
                    self.assertEqual(drawn[1], drawn[0])


def timeline_entries(response: "TestResponse") -> list[tuple[str, str]]:
    """The timeline's entries in page order: (event, note, to_partner or from_partner; the entry's text)."""
    timeline = response.content.decode().split('<ol class="timeline"')[1].split("</ol>")[0]
    entries = re.findall(r'<li class="timeline__entry timeline__entry--(\w+)">(.*?)</li>', timeline, re.DOTALL)
    return [(kind, " ".join(re.sub(r"<[^>]+>", " ", text).split())) for kind, text in entries]


class PagePanelTests(InquiryPageTestCase):
    def test_the_routing_suggestion_and_its_reason_are_shown(self) -> None:
        inquiry = make_inquiry_in(
            S.RECEIVED, suggested_unit=self.bym_unit, suggestion_basis={"rule": 1, "goals": [11], "word": "sykkel"}
        )
        response = self.open(inquiry)
        self.assertContains(response, "<dt>Suggested unit</dt>", html=True)
        self.assertContains(response, "SDG 11 and the word “sykkel” → Urban Development and Environment")
        routing = forms_on(self.open(inquiry, action="route"))[action_url(inquiry, "route")]
        self.assertEqual(routing["route-unit"], [str(self.bym_unit.pk)])  # the suggestion is preselected

    def test_possible_duplicates_are_listed(self) -> None:
        organisation = make_organisation(name="Ærlig Økonomi AS")
        earlier = make_inquiry_in(
            S.ROUTED,
            organisation=organisation,
            title="Grønne tak på skoler",
            received_at=timezone.now() - datetime.timedelta(days=20),
        )
        make_inquiry_in(S.ROUTED, organisation=organisation, title="Noe helt annet enn det")
        inquiry = make_inquiry_in(S.RECEIVED, organisation=organisation, title="Grønne tak på skolene")
        response = self.open(inquiry)
        self.assertEqual(response.context["likely_duplicates"], [earlier])
        block = response.content.decode().split("Possible duplicates</h2>")[1].split("</div>")[0]
        self.assertIn(f'<a class="ds-link" href="/en/staff/inquiries/{earlier.pk}/">{earlier.reference}</a>', block)
        self.assertNotIn("Noe helt annet", block)

    def test_the_timeline_is_one_stream_of_events_messages_and_notes_in_time_order(self) -> None:
        inquiry = make_inquiry_in(S.RECEIVED)
        lifecycle.start_triage(inquiry, actor=self.amina)
        conversation.add_note(inquiry, body="Notat: sjekk med bym.", actor=self.amina)
        lifecycle.route_inquiry(inquiry, unit=self.bym_unit, actor=self.amina)
        conversation.send_message(inquiry, body="Melding: saken er sendt videre.", actor=self.amina)
        conversation.record_partner_reply(inquiry, body="Svar: takk!", actor=None)
        # Give each row its own minute, in an order that differs from the order of creation per table.
        start = timezone.now() - datetime.timedelta(hours=1)
        order = [
            ("event", InquiryEvent.Kind.TRIAGE_STARTED),
            ("message", InquiryMessage.Kind.NOTE),
            ("event", InquiryEvent.Kind.ROUTED),
            ("message", InquiryMessage.Kind.TO_PARTNER),
            ("message", InquiryMessage.Kind.FROM_PARTNER),
            ("event", InquiryEvent.Kind.PARTNER_REPLIED),
        ]
        for minute, (table, kind) in enumerate(order):
            rows = inquiry.events if table == "event" else inquiry.messages
            rows.filter(kind=kind).update(created_at=start + datetime.timedelta(minutes=minute))
        entries = timeline_entries(self.open(inquiry))
        self.assertEqual(
            [kind for kind, _text in entries], ["event", "note", "event", "to_partner", "from_partner", "event"]
        )
        self.assertIn("Triage started", entries[0][1])
        self.assertIn("Notat: sjekk med bym.", entries[1][1])
        self.assertIn("Routed to a unit", entries[2][1])
        self.assertIn("Urban Development and Environment", entries[2][1])
        self.assertIn("Melding: saken er sendt videre.", entries[3][1])
        self.assertIn("Svar: takk!", entries[4][1])
        self.assertIn("The partner replied", entries[5][1])


class PageQueryTests(InquiryPageTestCase):
    def add_history(self, inquiry: Inquiry, rounds: int) -> None:
        """Each round: events whose timeline lines name a unit, a person and another inquiry, a note and a message."""
        other = make_inquiry()
        for _ in range(rounds):
            InquiryEvent.objects.bulk_create(
                [
                    InquiryEvent(
                        inquiry=inquiry,
                        kind=InquiryEvent.Kind.ROUTED,
                        actor=self.amina,
                        data={"before": {"unit": None}, "after": {"unit": self.bym_unit.pk}, "note": "Se på dette."},
                    ),
                    InquiryEvent(
                        inquiry=inquiry,
                        kind=InquiryEvent.Kind.OWNER_CHANGED,
                        actor=self.amina,
                        data={"before": None, "after": self.bruno.pk},
                    ),
                    InquiryEvent(
                        inquiry=inquiry,
                        kind=InquiryEvent.Kind.DUPLICATE_MERGED,
                        actor=self.bruno,
                        data={"duplicate": other.pk},
                    ),
                    InquiryEvent(
                        inquiry=inquiry,
                        kind=InquiryEvent.Kind.PRIORITY_CHANGED,
                        actor=self.bruno,
                        data={"before": "normal", "after": "high"},
                    ),
                ]
            )
            InquiryMessage.objects.bulk_create(
                [
                    InquiryMessage(inquiry=inquiry, kind=InquiryMessage.Kind.NOTE, body="Notat", author=self.bruno),
                    InquiryMessage(
                        inquiry=inquiry, kind=InquiryMessage.Kind.TO_PARTNER, body="Melding", author=self.amina
                    ),
                    InquiryMessage(
                        inquiry=inquiry,
                        kind=InquiryMessage.Kind.NOTE,
                        body="Flyttet",
                        author=self.amina,
                        moved_from=other,
                    ),
                ]
            )

    def count_queries(self, inquiry: Inquiry, user: User) -> int:
        self.client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(page_url(inquiry))
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_the_number_of_queries_does_not_grow_with_the_timeline(self) -> None:
        inquiry = make_inquiry_in(
            S.IN_PROGRESS, suggested_unit=self.bym_unit, suggestion_basis={"goals": [11]}, sdg_goals=[11]
        )
        self.add_history(inquiry, 2)  # 8 events, 6 messages
        few = {user.email: self.count_queries(inquiry, user) for user in (self.amina, self.bruno)}
        self.add_history(inquiry, 18)  # 80 events, 60 messages
        many = {user.email: self.count_queries(inquiry, user) for user in (self.amina, self.bruno)}
        self.assertEqual(many, few)
        self.assertEqual(len(self.open(inquiry).context["timeline"]), 140)

    # The performance issue's budget for a detail page is 15 queries. Forms that need choices (units, staff,
    # SDGs, reply templates) are built only when their action is opened, which keeps the page within it.
    def test_page_budget(self) -> None:
        inquiry = make_inquiry_in(S.IN_PROGRESS, suggested_unit=self.bym_unit, suggestion_basis={"goals": [11]})
        self.add_history(inquiry, 5)
        self.client.force_login(self.amina)
        with CaptureQueriesContext(connection) as queries:
            self.client.get(page_url(inquiry))
        self.assertLessEqual(len(queries), 15, "\n".join(query["sql"][:160] for query in queries))


class OrganisationCountTests(InquiryPageTestCase):
    def test_the_count_of_the_organisations_other_inquiries_is_only_of_those_the_user_may_see(self) -> None:
        organisation = make_organisation(name="Delt Organisasjon AS")
        mine = make_inquiry_in(S.ROUTED, organisation=organisation, unit=self.bym_unit)
        make_inquiry_in(S.ROUTED, organisation=organisation, unit=self.bym_unit)
        make_inquiry_in(S.ROUTED, organisation=organisation, unit=self.oppvekst_unit)
        self.assertEqual(self.open(mine, self.bruno).context["other_inquiries_count"], 1)
        self.assertEqual(self.open(mine, self.amina).context["other_inquiries_count"], 2)


# The markup the timeline had as a template: timeline_rendering.py is held to it.
_TIMELINE_TEMPLATE = Path(__file__).with_name("timeline_markup.html")


class TimelineMarkupTests(PortalTestCase):
    def entries(self) -> list[TimelineEntry]:
        amina = make_user("tidslinje@trondheim.kommune.no", full_name="Amina <Østby>")
        nameless = make_user("uten.navn@trondheim.kommune.no")
        at = timezone.now().replace(microsecond=0)
        kind, message_kind = InquiryEvent.Kind, InquiryMessage.Kind

        def event(event_kind: str, actor: User | None = None, **data: Any) -> TimelineEntry:
            return TimelineEntry(
                at=at,
                event=InquiryEvent(kind=event_kind, actor=actor, data=data),
                detail="Mottatt → <Triage>" if event_kind == kind.TRIAGE_STARTED else "",
                label=str(InquiryEvent.Kind(event_kind).label),
            )

        def message(attachments: tuple[AttachmentLink, ...] = (), **fields: Any) -> TimelineEntry:
            fields.setdefault("kind", message_kind.TO_PARTNER)
            text = InquiryMessage(**{"body": "Hei & velkommen\n\nAndre <avsnitt>\nlinje", **fields})
            return TimelineEntry(at=at, message=text, attachments=attachments, label=str(message_kind(text.kind).label))

        moved = message(kind=message_kind.FROM_PARTNER)
        moved.message.moved_from_reference = "2026-0042"  # type: ignore[union-attr]
        return [
            event(kind.SUBMITTED),
            event(kind.TRIAGE_STARTED, amina),
            event(kind.PRIORITY_CHANGED, nameless),
            event(kind.DECISION_REQUESTED, amina, question="Skal vi?\n\nTo <linjer> & mer", reason="budget"),
            event(kind.DECISION_ANSWERED, amina, answer="go", text="Ja & takk"),
            event(kind.DECISION_ANSWERED, amina, answer="go", text=""),
            event(kind.HIGHLIGHT_SET, amina, text="A <bold> pilot", year=2026),
            event(kind.HIGHLIGHT_REMOVED, amina, year=2026),
            message(author=amina, subject="Om <møtet>"),
            message(kind=message_kind.NOTE, author=nameless),
            message(author=amina, is_interim_reply=True),
            message(author=amina, held_at=at),
            message(author=amina, returned_at=at),
            message(kind=message_kind.FROM_PARTNER, body=""),
            moved,
            message(
                kind=message_kind.FROM_PARTNER,
                attachments=(
                    AttachmentLink(pk=7, name="plan <v2>.pdf", size=123_456, content_type="application/pdf"),
                    AttachmentLink(pk=8, name="", size=2_048, content_type="image/png"),
                ),
            ),
        ]

    def test_every_kind_of_entry_is_written_as_the_template_wrote_it(self) -> None:
        template = engines["django"].from_string(_TIMELINE_TEMPLATE.read_text(encoding="utf-8"))
        entries = self.entries()
        for language in ("nb", "en"):
            with translation.override(language), self.subTest(language=language):
                written = render_timeline(entries)
                self.assertHTMLEqual(written, template.render({"timeline": entries}))
                self.assertEqual(written.count("<li class="), len(entries))
                self.assertNotIn("<bold>", written)  # every text escaped
                self.assertIn("&lt;Østby&gt;", written)


class ActionLabelTests(PortalTestCase):
    def test_every_action_but_writing_has_its_words_in_both_languages(self) -> None:
        for action in Action:
            if action == Action.WRITE:  # the write form has its own heading
                continue
            name = action.name.lower()
            with self.subTest(action=name):
                with translation.override("en"):
                    english = action_label(name)
                with translation.override("nb"):
                    norwegian = action_label(name)
                self.assertTrue(english)
                self.assertTrue(norwegian)
                self.assertNotEqual(english, norwegian)
        self.assertEqual(action_label("no_such_action"), "")
