"""What an invented inquiry says: its type, title and description, its SDGs, its channel, the unit suggested."""

import random
from dataclasses import dataclass, field
from typing import Any

from requests_app.benchmark import vocabulary as words
from requests_app.models import Inquiry

INQUIRY_TYPES = {"knowledge_exchange": 30, "partnership": 20, "research": 12, "event": 10, "funding": 7, "pilot": 8,
                 "data_request": 8, "other": 5}  # fmt: skip
CHANNELS = {"web": 78, "email": 14, "phone": 4, "meeting": 4}
SPAM = [
    ("Buy cheap followers now", "Visit our site for the best offers!!! Limited time only."),
    ("SEO services for your website", "We can put your site on the first page of Google. Reply for prices."),
    ("Gratis gavekort", "Du har vunnet et gavekort! Klikk på lenken for å hente premien."),
]


def weighted(rng: random.Random, options: dict[str, int]) -> str:
    """One of the options, chosen in proportion to its weight."""
    return rng.choices(list(options), weights=list(options.values()))[0]


@dataclass
class InquiryText:
    inquiry_type: str
    topic: words.Topic
    title: str
    description: str
    goals: list[int]
    targets: list[str]
    channel: str
    suggested_unit: int | None = None
    suggestion_basis: dict[str, Any] = field(default_factory=dict)


def write_inquiry(
    rng: random.Random,
    *,
    spam: bool,
    organisation: tuple[str, str],  # name, kind
    language: str,
    target_codes: frozenset[str],
    unit_ids: dict[str, int],
) -> InquiryText:
    """An inquiry about one topic, in the contact's language: 1–3 goals (the topic's, sometimes one more), often a
    target or two of them; banks mostly ask about funding and researchers about research."""
    name, kind = organisation
    if kind == "financial" and rng.random() < 0.6:
        inquiry_type = str(Inquiry.Type.FUNDING)
    elif kind == "research" and rng.random() < 0.5:
        inquiry_type = str(Inquiry.Type.RESEARCH)
    else:
        inquiry_type = weighted(rng, INQUIRY_TYPES)
    topic = rng.choice(words.TOPICS)
    english = language == "en"
    side = 1 if english else 0
    fill = {
        "topic": topic.en if english else topic.nb,
        "place": rng.choice(words.PLACES),
        "event": rng.choice(words.EVENTS),
        "org": name,
        "months": rng.choice([6, 12, 18, 24, 36]),
        "people": rng.randint(3, 15),
    }
    if spam:
        title, description = rng.choice(SPAM)
        inquiry_type = str(Inquiry.Type.OTHER)
    else:
        title = rng.choice(words.TITLES[inquiry_type][side]).format(**fill)
        title = title[0].upper() + title[1:]
        sentences = [rng.choice(words.OPENINGS[side])]
        sentences += rng.sample(words.MIDDLES[side], rng.randint(2, 5))
        sentences.append(rng.choice(words.CLOSINGS[side]))
        description = " ".join(sentences).format(**fill)
    goals = list(topic.goals)
    if len(goals) > 1 and rng.random() < 0.3:
        goals = goals[: rng.randint(1, len(goals) - 1)]
    if len(goals) < 3 and rng.random() < 0.2:
        extra = rng.randint(1, 17)
        if extra not in goals:
            goals.append(extra)
    possible = [code for code in topic.targets if code in target_codes and int(code.split(".")[0]) in goals]
    targets = []
    if not spam and possible and rng.random() < 0.6:
        targets = rng.sample(possible, rng.randint(1, min(2, len(possible))))
    text = InquiryText(
        inquiry_type=inquiry_type,
        topic=topic,
        title=title,
        description=description,
        goals=[] if spam else sorted(goals),
        targets=targets,
        channel=weighted(rng, CHANNELS),
    )
    if not spam and rng.random() < 0.65:
        # The routing rules' suggestion: mostly the topic's unit, on the strength of a goal or the type.
        code = topic.unit if rng.random() < 0.8 else rng.choice(sorted(unit_ids))
        text.suggested_unit = unit_ids.get(code)
        basis: dict[str, Any] = {"goals": [text.goals[0]]} if text.goals else {}
        if not basis or rng.random() < 0.4:
            basis["inquiry_type"] = inquiry_type
        text.suggestion_basis = basis if text.suggested_unit else {}
    return text
