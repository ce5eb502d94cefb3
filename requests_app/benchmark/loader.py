"""Writing a batch of stories to the database: the inquiries first, then the rows that point to them."""

from typing import Any

from django.db import models
from django.db.models import F

from requests_app.benchmark.bulk import Table
from requests_app.benchmark.story import Story
from requests_app.models import FollowUp, Inquiry, InquiryEvent, InquiryMessage, Outcome, UnitAssignment


class Loader:
    """Turns a batch of stories into rows and inserts them, related rows after the rows they point to.

    Inquiries, messages, outcomes and follow-ups get their ids here, so the rows that point to them (events,
    assignments, the many-to-many tables) are written without reading anything back.
    """

    def __init__(self) -> None:
        self.inquiries = Table(Inquiry, with_ids=True)
        self.messages = Table(InquiryMessage, with_ids=True)
        self.outcomes = Table(Outcome, with_ids=True)
        self.follow_ups = Table(FollowUp, with_ids=True)
        self.events = Table(InquiryEvent)
        self.assignments = Table(UnitAssignment)
        self.goals = Table(Inquiry.sdg_goals.through)
        self.targets = Table(Inquiry.sdg_targets.through)
        self.collaborators = Table(Inquiry.collaborators.through)
        self.outcome_partners = Table(Outcome.partners_involved.through)
        self.outcome_targets = Table(Outcome.sdg_targets.through)
        self.follow_up_targets = Table(FollowUp.sdg_targets.through)
        self.counts: dict[str, int] = dict.fromkeys(
            ["inquiries", "events", "messages", "outcomes", "follow_ups", "assignments"], 0
        )

    @property
    def tables_with_ids(self) -> list[type[models.Model]]:
        return [Inquiry, InquiryMessage, Outcome, FollowUp]

    def insert(self, stories: list[Story]) -> None:
        for story in stories:
            story.pk = self.inquiries.allocate_id()
            for message in story.messages:
                message.pk = self.messages.allocate_id()
            if story.outcome is not None:
                story.outcome_pk = self.outcomes.allocate_id()
                for follow_up in story.outcome.follow_ups:
                    follow_up.pk = self.follow_ups.allocate_id()
        counts = self.counts
        counts["inquiries"] += self.inquiries.insert({"id": story.pk, **story.fields} for story in stories)
        counts["messages"] += self.messages.insert(
            {
                "id": row.pk,
                "inquiry_id": story.pk,
                "kind": row.kind,
                "author_id": row.author_id,
                "body": row.body,
                "is_interim_reply": row.is_interim_reply,
                "is_decision": row.is_decision,
                "created_at": row.at,
                "sent_at": row.at if row.sent else None,
            }
            for story in stories
            for row in story.messages
        )
        self._insert_outcomes(stories)
        self._insert_events(stories)
        self._insert_relations(stories)

    def _insert_outcomes(self, stories: list[Story]) -> None:
        decided = [(story.pk, story.outcome_pk, story.outcome) for story in stories if story.outcome is not None]
        self.counts["outcomes"] += self.outcomes.insert(
            {
                "id": pk,
                "inquiry_id": inquiry_pk,
                "type": row.type,
                "summary": row.summary,
                "decided_on": row.decided_on,
                "referred_to": row.referred_to,
                "referred_to_detail": row.referred_to_detail,
                "decline_reason": row.decline_reason,
                "funding_nok": row.funding_nok,
                "follow_up_on": row.follow_up_on,
                "partnership_ended_on": row.partnership_ended_on,
                "recorded_by_id": row.by,
                "recorded_at": row.at,
            }
            for inquiry_pk, pk, row in decided
        )
        self.outcome_partners.insert(
            {"outcome_id": pk, "organisation_id": organisation}
            for _inquiry, pk, row in decided
            for organisation in row.partners
        )
        self.outcome_targets.insert(
            {"outcome_id": pk, "sdgtarget_id": code} for _inquiry, pk, row in decided for code in row.targets
        )
        follow_ups = [(pk, follow_up) for _inquiry, pk, row in decided for follow_up in row.follow_ups]
        self.counts["follow_ups"] += self.follow_ups.insert(
            {
                "id": follow_up.pk,
                "outcome_id": pk,
                "collaboration_status": follow_up.status,
                "results": follow_up.results,
                "u4ssc_areas": follow_up.areas,
                "next_follow_up_on": follow_up.next_on,
                "recorded_by_id": follow_up.by,
                "recorded_at": follow_up.at,
            }
            for pk, follow_up in follow_ups
        )
        self.follow_up_targets.insert(
            {"followup_id": follow_up.pk, "sdgtarget_id": code}
            for _pk, follow_up in follow_ups
            for code in follow_up.targets
        )

    def _insert_events(self, stories: list[Story]) -> None:
        events: list[dict[str, Any]] = []
        merged: dict[int, int] = {}
        for story in stories:
            for row in story.events:
                data = row.data
                if row.message is not None:
                    data = {**data, "message": row.message.pk}
                if row.follow_up is not None:
                    data = {**data, "follow_up": row.follow_up.pk}
                events.append(
                    {
                        "inquiry_id": story.pk,
                        "kind": row.kind,
                        "actor_id": row.actor_id,
                        "data": data,
                        "created_at": row.at,
                    }
                )
            if story.merged_into is not None:
                original = story.merged_into
                merged[original.pk] = merged.get(original.pk, 0) + 1
                events.append(
                    {
                        "inquiry_id": original.pk,
                        "kind": InquiryEvent.Kind.DUPLICATE_MERGED,
                        "actor_id": story.merged_by,
                        "data": {"duplicate": story.pk, "moved_messages": [], "version": story.merged_version},
                        "created_at": story.merged_at,
                    }
                )
        self.counts["events"] += self.events.insert(events)
        for original_pk, times in merged.items():
            Inquiry.objects.filter(pk=original_pk).update(version=F("version") + times)

    def _insert_relations(self, stories: list[Story]) -> None:
        self.goals.insert({"inquiry_id": story.pk, "sdggoal_id": number} for story in stories for number in story.goals)
        self.targets.insert(
            {"inquiry_id": story.pk, "sdgtarget_id": code} for story in stories for code in story.targets
        )
        self.collaborators.insert(
            {"inquiry_id": story.pk, "user_id": user} for story in stories for user in story.collaborators
        )
        self.counts["assignments"] += self.assignments.insert(
            {
                "inquiry_id": story.pk,
                "unit_id": row.unit_id,
                "routed_at": row.routed_at,
                "routed_by_id": row.routed_by,
                "respond_by": row.respond_by,
                "accepted_at": row.accepted_at,
                "ended_at": row.ended_at,
                "end": row.end,
                "decline_reason": row.decline_reason,
            }
            for story in stories
            for row in story.assignments
        )
