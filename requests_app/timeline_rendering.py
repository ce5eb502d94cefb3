"""The inquiry page's timeline written in Python: a long timeline is a hundred entries, and through the template
language each entry cost some forty variable lookups and tags (a third of the page's rendering time). The markup is
what the page always had; the timeline tests (test_inquiry_page.py, TimelineMarkupTests) check every kind of entry.

Text is escaped as Django's escape() does it (html.escape, without its wrapper for lazy arguments); message texts
get the linebreaks filter's paragraphs; the translated words are the same msgids the template used, so the catalogue
needs nothing new.
"""

import datetime
from collections.abc import Callable, Iterable

from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from requests_app.form_rendering import escape_text
from requests_app.models import InquiryEvent
from requests_app.selectors import AttachmentLink, TimelineEntry, date_writer

# Events whose words are in their data, shown under the line: (the data key, the language of the text or "").
_EVENT_TEXTS: dict[str, tuple[str, str]] = {
    InquiryEvent.Kind.DECISION_REQUESTED: ("question", ""),
    InquiryEvent.Kind.DECISION_ANSWERED: ("text", ""),
    InquiryEvent.Kind.HIGHLIGHT_SET: ("text", "en"),  # report highlights are written in English
}


def _body(text: str, lang: str = "") -> str:
    lang_attr = f' lang="{lang}"' if lang else ""
    return f'<div class="timeline__body"{lang_attr}>{linebreaks(text, autoescape=True)}</div>'


def _meta(entry: TimelineEntry, name: str, write_time: Callable[[datetime.date], str]) -> str:
    """The time (entry.at_iso and entry.at_text, the local time computed once) and who."""
    local = timezone.localtime(entry.at)
    by = f" · {escape_text(name)}" if name else ""
    when = escape_text(write_time(local))
    return f'<p class="timeline__meta"><time datetime="{local.isoformat()}">{when}</time>{by}</p>'


def _event(entry: TimelineEntry, write_time: Callable[[datetime.date], str]) -> str:
    event = entry.event
    assert event is not None
    detail = f": {escape_text(entry.detail)}" if entry.detail else ""
    parts = [
        '<li class="timeline__entry timeline__entry--event">',
        _meta(entry, event.actor.get_full_name() if event.actor_id and event.actor else "", write_time),
        f"<p><strong>{escape_text(entry.label)}</strong>{detail}</p>",
    ]
    key, lang = _EVENT_TEXTS.get(event.kind, ("", ""))
    text = (event.data or {}).get(key) if key else None
    # An answer is shown only with words (the executive may answer without); a question and a highlight always have.
    if key and (text or event.kind != InquiryEvent.Kind.DECISION_ANSWERED):
        parts.append(_body(str(text or ""), lang))
    parts.append("</li>")
    return "".join(parts)


def _attachments(attachments: Iterable[AttachmentLink]) -> str:
    """What includes/attachment_list.html writes for the staff download view."""
    items = []
    for file in attachments:
        if file.name:
            url = reverse("requests_app:attachment-download", args=[file.pk])
            link = f'<a class="ds-link" href="{escape_text(url)}" download>{escape_text(file.name)}</a>'
        else:
            link = escape_text(gettext("Attachment removed"))
        items.append(
            f'<li>{link} <span class="muted">({escape_text(file.label)}, {filesizeformat(file.size)})</span></li>'
        )
    if not items:
        return ""
    return (
        f'<div class="attachments"><p><strong>{escape_text(gettext("Attachments"))}</strong></p>'
        f'<ul class="ds-list">{"".join(items)}</ul></div>'
    )


def _message(entry: TimelineEntry, write_time: Callable[[datetime.date], str]) -> str:
    message = entry.message
    assert message is not None
    kind = "neutral" if message.is_note else "info"
    label = gettext("Interim reply") if message.is_interim_reply else entry.label
    tags = [f'<span class="ds-tag" data-color="{kind}">{escape_text(label)}</span>']
    if message.held_at:
        tags.append(
            ' <span class="ds-tag" data-color="warning">'
            + escape_text(gettext("Waiting for the secretariat's approval: not sent yet"))
            + "</span>"
        )
    elif message.returned_at:
        tags.append(
            ' <span class="ds-tag" data-color="danger">'
            + escape_text(gettext("Sent back by the secretariat: never sent"))
            + "</span>"
        )
    moved_from = getattr(message, "moved_from_reference", None)
    if moved_from:
        tags.append(
            ' <span class="muted">('
            + escape_text(gettext("moved from %(reference)s") % {"reference": moved_from})
            + ")</span>"
        )
    parts = [
        f'<li class="timeline__entry timeline__entry--{escape_text(message.kind)}">',
        _meta(entry, message.author.get_full_name() if message.author_id and message.author else "", write_time),
        f"<p>{''.join(tags)}</p>",
    ]
    if message.subject:
        parts.append(f"<p><strong>{escape_text(message.subject)}</strong></p>")
    if message.body:
        parts.append(_body(message.body))
    else:
        parts.append(f'<p class="muted">{escape_text(gettext("Text removed."))}</p>')
    parts.append(_attachments(entry.attachments))
    parts.append("</li>")
    return "".join(parts)


def render_timeline(entries: Iterable[TimelineEntry]) -> SafeString:
    """The <li> of every entry, oldest first, for the page's <ol class="timeline">."""
    write_time = date_writer("SHORT_DATETIME_FORMAT")
    return mark_safe(  # noqa: S308 -- every value above is escaped
        "\n".join(_event(entry, write_time) if entry.event else _message(entry, write_time) for entry in entries)
    )
