"""The rows a Story writes, as plain data: the generator turns them into database rows (loader.py)."""

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from requests_app.benchmark.calendar import BusinessCalendar


@dataclass
class World:
    """What every story draws on: the random source, the calendar, the staff and the units (all as ids)."""

    rng: random.Random
    calendar: BusinessCalendar
    until: datetime.datetime
    secretariat: list[int]
    officers: dict[int, list[int]]  # unit id → its members
    unit_ids: dict[str, int]  # unit code → id (units that take inquiries)
    target_codes: frozenset[str]
    first_reply_days: int
    decision_days: int
    handshake_days: int


@dataclass
class MessageRow:
    kind: str
    at: datetime.datetime
    author_id: int | None
    body: str
    sent: bool = False
    is_interim_reply: bool = False
    is_decision: bool = False
    pk: int | None = None


@dataclass
class FollowUpRow:
    status: str
    results: str
    targets: list[str]
    areas: list[str]
    next_on: datetime.date | None
    by: int
    at: datetime.datetime
    pk: int | None = None


@dataclass
class OutcomeRow:
    type: str
    summary: str
    decided_on: datetime.date
    by: int | None
    at: datetime.datetime
    referred_to: str = ""
    referred_to_detail: str = ""
    decline_reason: str = ""
    funding_nok: int | None = None
    partners: list[int] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    follow_up_on: datetime.date | None = None
    partnership_ended_on: datetime.date | None = None
    follow_ups: list[FollowUpRow] = field(default_factory=list)


@dataclass
class EventRow:
    kind: str
    at: datetime.datetime
    actor_id: int | None
    data: dict[str, Any]
    message: MessageRow | None = None
    follow_up: FollowUpRow | None = None


@dataclass
class AssignmentRow:
    unit_id: int
    routed_at: datetime.datetime
    routed_by: int
    respond_by: datetime.date
    accepted_at: datetime.datetime | None = None
    ended_at: datetime.datetime | None = None
    end: str = ""
    decline_reason: str = ""


@dataclass
class Original:
    """An earlier inquiry of the same organisation that a duplicate can point to."""

    pk: int
    events: int
    version: int
