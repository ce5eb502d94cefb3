"""One invented inquiry's history, played forward in time as the services would have written it.

A Story decides the inquiry's fate (spam, duplicate, withdrawn, decided in triage, or routed to a unit), then walks
its lifecycle arrows, each at a plausible moment, writing the event (with the data the services write), the
messages, the unit assignments and the outcome with its follow-ups. The walk stops at the first arrow that would
happen after `until`: the inquiry's status is wherever it had got to. Nothing here touches the database; the
generator turns the rows into models and bulk-inserts them.
"""

import contextlib
import datetime
import math
from typing import Any

from requests_app.benchmark import vocabulary as words
from requests_app.benchmark.rows import AssignmentRow, EventRow, FollowUpRow, MessageRow, Original, OutcomeRow, World
from requests_app.benchmark.texts import weighted, write_inquiry
from requests_app.models import FollowUp, Inquiry, InquiryEvent, InquiryMessage, Outcome, UnitAssignment

S = Inquiry.Status
K = InquiryEvent.Kind
MIN_EVENTS, MAX_EVENTS, MAX_MESSAGES = 3, 10, 5


class _Later(Exception):
    """The next arrow would happen after `until` (or the inquiry is stuck): the history ends here."""


FATES = {"spam": 3, "duplicate": 3, "withdrawn": 4, "triage_decision": 20, "routed": 70}
TRIAGE_OUTCOMES = {"referred": 30, "not_our_remit": 25, "knowledge_shared": 25, "declined": 12, "no_reply": 8}
UNIT_OUTCOMES = {"knowledge_shared": 30, "agreement": 14, "joint_project": 14, "pilot": 9, "declined": 15,
                 "referred": 10, "not_our_remit": 3, "no_reply": 5}  # fmt: skip
COLLABORATION = {"ongoing": 55, "delayed": 15, "completed": 20, "stopped": 10}


class Story:
    """The history of one inquiry; `play()` fills in `fields` (for Inquiry) and the related rows."""

    def __init__(
        self,
        world: World,
        *,
        reference: str,
        received_at: datetime.datetime,
        organisation: tuple[int, str, str, str],  # id, name, kind, country
        contact_id: int,
        language: str,
        original: Original | None,
    ) -> None:
        self.world = world
        self.rng = world.rng
        self.received_at = received_at
        self.organisation_id, self.organisation_name, self.organisation_kind, _country = organisation
        self.language = language
        self.original = original
        self.events: list[EventRow] = []
        self.messages: list[MessageRow] = []
        self.assignments: list[AssignmentRow] = []
        self.outcome: OutcomeRow | None = None
        self.collaborators: list[int] = []
        self.goals: list[int] = []
        self.targets: list[str] = []
        self.pk: int | None = None  # given by the generator before it inserts the rows
        self.outcome_pk: int | None = None
        # The original, when this one is marked a duplicate of it, and the merge's moment, actor and the original's
        # version after it (the generator writes the original's DUPLICATE_MERGED event).
        self.merged_into: Original | None = None
        self.merged_at = received_at
        self.merged_by: int | None = None
        self.merged_version = 0
        self.version = 1
        self.status: str = S.RECEIVED
        self.unit_id: int | None = None
        self.owner_id: int | None = None
        self.last_at = received_at
        received_on = received_at.date()
        self.fields: dict[str, Any] = {
            "reference": reference,
            "organisation_id": self.organisation_id,
            "contact_id": contact_id,
            "language": language,
            "received_at": received_at,
            "created_at": received_at,
            "first_reply_due_on": world.calendar.add(received_on, world.first_reply_days),
            "decision_due_on": world.calendar.add(received_on, world.decision_days),
            "priority": Inquiry.Priority.NORMAL,
            "status_before_waiting": "",
            "decision_summary": "",
            "suggestion_basis": {},
        }
        self._write_text()

    def _write_text(self) -> None:
        """What the inquiry says, and what will become of it (its fate)."""
        rng = self.rng
        self.fate = weighted(rng, FATES)
        if self.fate == "duplicate" and self.original is None:
            self.fate = "withdrawn"
        text = write_inquiry(
            rng,
            spam=self.fate == "spam",
            organisation=(self.organisation_name, self.organisation_kind),
            language=self.language,
            target_codes=self.world.target_codes,
            unit_ids=self.world.unit_ids,
        )
        self.topic, self.inquiry_type = text.topic, text.inquiry_type
        self.goals, self.targets = text.goals, text.targets
        self.suggested_unit_id = text.suggested_unit
        self.fields.update(
            title=text.title,
            description=text.description,
            inquiry_type=text.inquiry_type,
            channel=text.channel,
            consent_at=self.received_at if text.channel == "web" or rng.random() < 0.5 else None,
            suggested_unit_id=text.suggested_unit,
            suggestion_basis=text.suggestion_basis,
        )

    # --- Moments ----------------------------------------------------------------------------------------------

    def _after(self, at: datetime.datetime, median_hours: float, low: float, high: float) -> datetime.datetime:
        """A moment some time after `at` (log-normally spread around the median), in working hours."""
        hours = min(max(median_hours * math.exp(self.rng.gauss(0, 0.8)), low), high)
        moment = at + datetime.timedelta(hours=hours)
        if moment.hour < 8 or moment.hour >= 16 or moment.weekday() >= 5:
            day = moment.date() + datetime.timedelta(days=1 if moment.hour >= 8 else 0)
            while day.weekday() >= 5:
                day += datetime.timedelta(days=1)
            minutes = self.rng.randrange(8 * 60, 16 * 60)
            moment = datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60), moment.tzinfo)
        return moment

    def _at(self, moment: datetime.datetime) -> datetime.datetime:
        """The moment of the next arrow; ends the history if it has not happened yet (or the inquiry is stuck)."""
        moment = max(moment, self.last_at + datetime.timedelta(minutes=1))
        if moment >= self.world.until or len(self.events) >= self.stuck_after:
            raise _Later
        self.last_at = moment
        return moment

    def _event(self, kind: str, at: datetime.datetime, actor: int | None, **data: Any) -> EventRow:
        if kind != K.SUBMITTED:
            self.version += 1
        event = EventRow(kind, at, actor, {**data, "version": self.version})
        self.events.append(event)
        return event

    def _message(self, kind: str, at: datetime.datetime, author: int | None, body: str, **flags: Any) -> MessageRow:
        message = MessageRow(kind, at, author, body, sent=kind == InquiryMessage.Kind.TO_PARTNER, **flags)
        self.messages.append(message)
        if kind == InquiryMessage.Kind.TO_PARTNER and self.fields.get("first_replied_at") is None:
            self.fields["first_replied_at"] = at
        return message

    def _secretary(self) -> int:
        return self.rng.choice(self.world.secretariat)

    def _officer(self, unit_id: int) -> int:
        return self.rng.choice(self.world.officers.get(unit_id) or self.world.secretariat)

    # --- The plan ---------------------------------------------------------------------------------------------

    def _plan(self) -> None:
        """Which optional arrows this inquiry gets, within 3–10 events and at most 5 messages."""
        rng = self.rng
        self.stuck_after = rng.randint(2, 5) if rng.random() < 0.015 else MAX_EVENTS + 1
        base = {"spam": 3, "duplicate": 3, "withdrawn": 3, "triage_decision": 3, "routed": 5}[self.fate]
        self.routed_before_withdrawing = self.fate == "withdrawn" and rng.random() < 0.5
        if self.routed_before_withdrawing:
            base += 2
        self.closes = self.fate in {"triage_decision", "routed"} and rng.random() < 0.85
        base += int(self.closes)
        self.outcome_type = ""
        if self.fate == "triage_decision":
            self.outcome_type = weighted(rng, TRIAGE_OUTCOMES)
        elif self.fate == "routed":
            self.outcome_type = weighted(rng, UNIT_OUTCOMES)
        self.follow_ups = 2 if self.outcome_type in Outcome.PARTNERSHIP_TYPES else 0
        base += self.follow_ups
        events_left = MAX_EVENTS - base
        messages_left = MAX_MESSAGES - (1 if self.outcome_type else 0)
        if self.fate in {"spam", "duplicate"}:
            events_left = 0

        def maybe(probability: float, events: int, messages: int = 0) -> bool:
            nonlocal events_left, messages_left
            if events_left >= events and messages_left >= messages and rng.random() < probability:
                events_left -= events
                messages_left -= messages
                return True
            return False

        routed = self.fate == "routed"
        self.first_reply = maybe(0.8, 1, 1)
        self.declined_referral = routed and maybe(0.07, 2)
        self.transfer = routed and maybe(0.05, 2)
        self.information_request = self.fate in {"routed", "triage_decision"} and maybe(0.15, 2, 2)
        self.note = maybe(0.45, 1, 1)
        self.interim = routed and maybe(0.1, 1, 1)
        self.owner_in_triage = maybe(0.35, 1)
        self.priority_change = maybe(0.1, 1)
        self.sdgs_change = bool(self.goals) and maybe(0.08, 1)
        self.collaborator = routed and maybe(0.05, 1)

    # --- The walk ---------------------------------------------------------------------------------------------

    def play(self) -> "Story":
        self._plan()
        self._event(
            K.SUBMITTED,
            self.received_at,
            None,
            channel=self.fields["channel"],
            organisation=self.organisation_id,
            contact=self.fields["contact_id"],
            sdg_goals=list(self.goals),
            sdg_targets=sorted(self.targets),
            suggested_unit=self.suggested_unit_id,
        )
        with contextlib.suppress(_Later):
            self._walk()
        self._pad()
        self._finish()
        return self

    def _walk(self) -> None:
        rng = self.rng
        secretary = self._secretary()
        at = self._at(self._after(self.received_at, 5, 0.2, 72))
        self.status = S.IN_TRIAGE
        self._event(K.TRIAGE_STARTED, at, secretary, before=S.RECEIVED, after=S.IN_TRIAGE)
        if self.fate == "spam":
            self._close_as(K.MARKED_SPAM, S.SPAM, self._at(self._after(at, 2, 0.1, 24)), secretary)
            return
        if self.fate == "duplicate":
            self._mark_duplicate(self._at(self._after(at, 8, 0.2, 72)), secretary)
            return
        if self.owner_in_triage:
            self._change_owner(self._at(self._after(at, 1, 0.1, 24)), secretary, secretary)
        if self.priority_change:
            self._change_priority(self._at(self._after(self.last_at, 2, 0.1, 48)), secretary)
        if self.sdgs_change:
            self._change_sdgs(self._at(self._after(self.last_at, 2, 0.1, 48)), secretary)
        if self.first_reply:
            at = self._at(self._after(self.last_at, 20, 1, 120))
            body = rng.choice(words.REPLIES_TO_PARTNER)
            message = self._message(InquiryMessage.Kind.TO_PARTNER, at, secretary, body)
            self._event(K.MESSAGE_SENT, at, secretary, message=None).message = message
        if self.fate == "withdrawn":
            if self.routed_before_withdrawing:
                unit = self._route(secretary)
                self._accept(unit)
            self._withdraw(self._at(self._after(self.last_at, 24 * 7, 2, 24 * 40)))
            return
        if self.fate == "triage_decision":
            self._converse(secretary)
            self._decide(self._at(self._after(self.last_at, 24 * 6, 2, 24 * 60)), secretary)
            self._after_decision(secretary)
            return
        unit = self._route(secretary)
        if self.declined_referral:
            at = self._at(self._after(self.last_at, 30, 2, 24 * 5))
            self._decline_referral(at, unit)
            unit = self._route(secretary, avoid=unit)
        officer = self._accept(unit)
        if self.transfer:
            unit = self._route(secretary, avoid=unit, after_hours=24 * 8)
            officer = self._accept(unit)
        if self.collaborator:
            self._add_collaborator(self._at(self._after(self.last_at, 24, 1, 24 * 10)), officer, unit)
        self._converse(officer)
        decide_at = self._after(self.last_at, 24 * 12, 4, 24 * 120)
        if self.interim and decide_at.date() > self.fields["decision_due_on"]:
            due = self.fields["decision_due_on"]
            day = self.world.calendar.before(due, 2)
            moment = datetime.datetime.combine(day, datetime.time(10, rng.randrange(60)), decide_at.tzinfo)
            if moment > self.last_at:
                at = self._at(moment)
                message = self._message(
                    InquiryMessage.Kind.TO_PARTNER,
                    at,
                    officer,
                    rng.choice(words.INTERIM_REPLIES),
                    is_interim_reply=True,
                )
                self._event(K.INTERIM_REPLY_SENT, at, officer, message=None).message = message
                self.fields["interim_reply_sent_at"] = at
        self._decide(self._at(decide_at), officer)
        self._after_decision(secretary)

    def _route(self, secretary: int, *, avoid: int | None = None, after_hours: float = 30) -> int:
        rng = self.rng
        units = self.world.unit_ids
        unit = units.get(self.topic.unit) if rng.random() < 0.8 else None
        if unit is None or unit == avoid:
            unit = rng.choice([pk for pk in units.values() if pk != avoid])
        at = self._at(self._after(self.last_at, after_hours, 1, 24 * 30))
        transfer = bool(self.assignments and self.assignments[-1].ended_at is None)
        if transfer:
            previous = self.assignments[-1]
            previous.ended_at, previous.end = at, UnitAssignment.End.TRANSFERRED
        before = {"status": self.status, "unit": self.unit_id, "owner": self.owner_id}
        if self.owner_id is not None and self.owner_id not in self.world.secretariat:
            self.owner_id = None  # an officer of the previous unit cannot keep it
        if self.fields.get("suggestion_accepted") is None and self.suggested_unit_id is not None:
            self.fields["suggestion_accepted"] = self.suggested_unit_id == unit
        self.status, self.unit_id = S.ROUTED, unit
        self.fields["routed_at"] = at
        self.fields["returned_by_unit_id"] = None
        respond_by = self.world.calendar.add(at.date(), self.world.handshake_days)
        self.assignments.append(AssignmentRow(unit, at, secretary, respond_by))
        self._event(
            K.ROUTED,
            at,
            secretary,
            before=before,
            after={"status": S.ROUTED, "unit": unit, "owner": self.owner_id},
            suggested_unit=self.suggested_unit_id,
            note="",
            transfer=transfer,
            respond_by=respond_by.isoformat(),
        )
        return unit

    def _accept(self, unit: int) -> int:
        officer = self._officer(unit)
        at = self._at(self._after(self.last_at, 20, 0.5, 24 * 6))
        before = {"status": self.status, "owner": self.owner_id}
        self.status, self.owner_id = S.IN_PROGRESS, officer
        self.assignments[-1].accepted_at = at
        self._event(K.ACCEPTED, at, officer, before=before, after={"status": S.IN_PROGRESS, "owner": officer})
        return officer

    def _decline_referral(self, at: datetime.datetime, unit: int) -> None:
        officer = self._officer(unit)
        reason = words.DECLINE_REASONS_BY_UNIT
        stay = self.assignments[-1]
        stay.ended_at, stay.end, stay.decline_reason = at, UnitAssignment.End.DECLINED, reason
        before = {"status": self.status, "unit": unit, "owner": self.owner_id}
        self.status, self.unit_id = S.IN_TRIAGE, None
        self.fields["returned_by_unit_id"] = unit
        after = {"status": S.IN_TRIAGE, "unit": None, "owner": self.owner_id}
        self._event(K.REFERRAL_DECLINED, at, officer, before=before, after=after, unit=unit, note=reason)

    def _converse(self, staff: int) -> None:
        rng = self.rng
        if self.note:
            at = self._at(self._after(self.last_at, 24 * 2, 1, 24 * 14))
            message = self._message(InquiryMessage.Kind.NOTE, at, staff, rng.choice(words.NOTES))
            self._event(K.NOTE_ADDED, at, staff, message=None).message = message
        if self.information_request:
            at = self._at(self._after(self.last_at, 24 * 2, 1, 24 * 10))
            message = self._message(InquiryMessage.Kind.TO_PARTNER, at, staff, rng.choice(words.INFORMATION_REQUESTS))
            before = self.status
            self.fields["status_before_waiting"], self.status = before, S.AWAITING_PARTNER
            self.fields["awaiting_since"] = at
            event = self._event(
                K.INFORMATION_REQUESTED, at, staff, before=before, after=S.AWAITING_PARTNER, message=None
            )
            event.message = message
            if rng.random() < 0.03:
                raise _Later  # the partner never answers
            reply_at = self._at(self._after(at, 24 * 4, 2, 24 * 30))
            reply = self._message(InquiryMessage.Kind.FROM_PARTNER, reply_at, None, rng.choice(words.PARTNER_REPLIES))
            waited = self.world.calendar.between(at.date(), reply_at.date())
            self.fields["decision_due_on"] = self.world.calendar.add(self.fields["decision_due_on"], waited)
            self.status = self.fields["status_before_waiting"]
            self.fields["status_before_waiting"], self.fields["awaiting_since"] = "", None
            event = self._event(
                K.PARTNER_REPLIED,
                reply_at,
                None,
                message=None,
                before=S.AWAITING_PARTNER,
                after=self.status,
                business_days_waited=waited,
            )
            event.message = reply

    def _change_owner(self, at: datetime.datetime, actor: int, owner: int) -> None:
        before, self.owner_id = self.owner_id, owner
        self._event(K.OWNER_CHANGED, at, actor, before=before, after=owner)

    def _change_priority(self, at: datetime.datetime, actor: int) -> None:
        before = self.fields["priority"]
        after = Inquiry.Priority.HIGH if self.rng.random() < 0.6 else Inquiry.Priority.LOW
        self.fields["priority"] = after
        self._event(K.PRIORITY_CHANGED, at, actor, before=before, after=after)

    def _change_sdgs(self, at: datetime.datetime, actor: int) -> None:
        before = {"goals": list(self.goals), "targets": sorted(self.targets)}
        needed = {int(code.split(".")[0]) for code in self.targets}
        if len(self.goals) < 3:
            self.goals = sorted([*self.goals, self.rng.choice([n for n in range(1, 18) if n not in self.goals])])
        else:
            removable = [goal for goal in self.goals if goal not in needed]
            self.goals = [goal for goal in self.goals if not removable or goal != removable[-1]]
        after = {"goals": list(self.goals), "targets": sorted(self.targets)}
        self._event(K.SDGS_CHANGED, at, actor, before=before, after=after)

    def _add_collaborator(self, at: datetime.datetime, actor: int, unit: int) -> None:
        colleagues = [pk for pk in self.world.officers.get(unit, []) if pk != actor]
        if not colleagues:
            return
        colleague = self.rng.choice(colleagues)
        self.collaborators = [colleague]
        self._event(K.COLLABORATORS_CHANGED, at, actor, before=[], after=[colleague])

    def _end_stay(self, at: datetime.datetime) -> None:
        if self.assignments and self.assignments[-1].ended_at is None:
            stay = self.assignments[-1]
            stay.ended_at, stay.end = at, UnitAssignment.End.FINISHED

    def _close_as(self, kind: str, status: str, at: datetime.datetime, actor: int | None, **data: Any) -> None:
        before, self.status = self.status, status
        self.fields["closed_at"] = at
        self._end_stay(at)
        self._event(kind, at, actor, before=before, after=status, **data)

    def _mark_duplicate(self, at: datetime.datetime, secretary: int) -> None:
        assert self.original is not None
        before, self.status = self.status, S.DUPLICATE
        self.fields["duplicate_of_id"] = self.original.pk
        self.merged_into = self.original
        self._event(
            K.MARKED_DUPLICATE,
            at,
            secretary,
            before=before,
            after=S.DUPLICATE,
            original=self.original.pk,
            moved_messages=[],
            message=None,
        )
        self.merged_at, self.merged_by = at, secretary

    def _withdraw(self, at: datetime.datetime) -> None:
        reason = words.OUTCOME_SUMMARIES["withdrawn"]
        self.fields["awaiting_since"], self.fields["status_before_waiting"] = None, ""
        self.outcome = OutcomeRow(Outcome.Type.WITHDRAWN, reason, at.date(), None, at)
        self._close_as(K.WITHDRAWN, S.WITHDRAWN, at, None, note=reason)

    def _decide(self, at: datetime.datetime, actor: int) -> None:
        rng = self.rng
        kind = self.outcome_type
        outcome = OutcomeRow(kind, words.OUTCOME_SUMMARIES[kind], at.date(), actor, at)
        if kind == Outcome.Type.REFERRED:
            outcome.referred_to = rng.choice(Outcome.ReferredTo.values)
            if outcome.referred_to in {Outcome.ReferredTo.NETWORK_CITY, Outcome.ReferredTo.OTHER}:
                outcome.referred_to_detail = rng.choice(words.REFERRAL_DETAILS)
        if kind == Outcome.Type.DECLINED:
            outcome.decline_reason = rng.choice(Outcome.DeclineReason.values)
        if kind in Outcome.PARTNERSHIP_TYPES:
            outcome.partners = [self.organisation_id]
            outcome.targets = (
                list(self.targets) or [code for code in self.topic.targets if code in self.world.target_codes][:1]
            )
            outcome.follow_up_on = at.date() + datetime.timedelta(days=180)
            funding_odds = 0.7 if self.inquiry_type == Inquiry.Type.FUNDING else 0.2
            if rng.random() < funding_odds:
                outcome.funding_nok = int(round(math.exp(rng.uniform(math.log(1e5), math.log(5e7))), -4))
        self.outcome = outcome
        message = None
        if rng.random() < 0.9:
            body = "Vi har nå tatt stilling til henvendelsen. " + outcome.summary
            message = self._message(InquiryMessage.Kind.TO_PARTNER, at, actor, body, is_decision=True)
        before, self.status = self.status, S.DECIDED
        self.fields["decided_at"], self.fields["decision_summary"] = at, outcome.summary
        self._end_stay(at)
        event = self._event(
            K.DECIDED,
            at,
            actor,
            before=before,
            after=S.DECIDED,
            message=None,
            message_held=False,
            outcome=kind,
            decided_on=outcome.decided_on.isoformat(),
            referred_to=outcome.referred_to,
            decline_reason=outcome.decline_reason,
            funding_nok=outcome.funding_nok,
            partners=sorted(outcome.partners),
            sdg_targets=sorted(outcome.targets),
            follow_up_on=outcome.follow_up_on.isoformat() if outcome.follow_up_on else None,
            note=outcome.summary,
        )
        event.message = message

    def _after_decision(self, secretary: int) -> None:
        decided_at = self.last_at
        if self.closes:
            at = self._at(self._after(decided_at, 24 * 5, 1, 24 * 30))
            self.status, self.fields["closed_at"] = S.CLOSED, at
            self._event(K.CLOSED, at, secretary, before=S.DECIDED, after=S.CLOSED)
        outcome = self.outcome
        assert outcome is not None
        for _round in range(self.follow_ups):
            if outcome.follow_up_on is None:
                break
            due = datetime.datetime.combine(outcome.follow_up_on, datetime.time(9), decided_at.tzinfo)
            at = self._at(self._after(due, 24 * 5, 1, 24 * 30))
            status = weighted(self.rng, COLLABORATION)
            ending = status in FollowUp.ENDING_STATUSES
            next_on = None if ending else at.date() + datetime.timedelta(days=180)
            areas = sorted(self.rng.sample(FollowUp.Area.values, self.rng.randint(1, 2)))
            owner = self.owner_id or secretary
            follow_up = FollowUpRow(
                status, self.rng.choice(words.FOLLOW_UP_RESULTS), list(outcome.targets), areas, next_on, owner, at
            )
            outcome.follow_ups.append(follow_up)
            outcome.follow_up_on = next_on
            if ending:
                outcome.partnership_ended_on = at.date()
            event = self._event(
                K.FOLLOW_UP_RECORDED,
                at,
                owner,
                follow_up=None,
                collaboration_status=status,
                u4ssc_areas=areas,
                sdg_targets=sorted(outcome.targets),
                next_follow_up_on=next_on.isoformat() if next_on else None,
                note=follow_up.results,
            )
            event.follow_up = follow_up

    def _pad(self) -> None:
        """A history cut short by `until` still gets three events: an owner, then a priority, as triage does."""
        span = (self.world.until - self.last_at).total_seconds()
        while len(self.events) < MIN_EVENTS:
            at = self.last_at + datetime.timedelta(seconds=max(1.0, self.rng.random() * span / 4))
            at = min(at, self.world.until - datetime.timedelta(seconds=1))
            self.last_at = at
            secretary = self._secretary()
            if self.owner_id is None:
                self._change_owner(at, secretary, secretary)
            else:
                self._change_priority(at, secretary)

    def _finish(self) -> None:
        self.fields.update(
            status=self.status,
            unit_id=self.unit_id,
            owner_id=self.owner_id,
            version=self.version,
            updated_at=self.events[-1].at,
        )
