"""The partner's own pages: an inquiry behind a private status link (/status/<token>/), and My inquiries for a
partner who logs in (/my/inquiries/).

Both show one page, requests_app/partner_inquiry.html, with the same reply and withdraw forms, through the same
functions (`_page`, `_reply`, `_withdraw`); they differ only in how the inquiry is found (`PartnerAccess`): by the
link's token, or among `partner_inquiries(user)`, where another partner's inquiry is a 404. A link's token is a
secret in the address, so these pages send no address as Referer, are not cached and not indexed (`private_page`).
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.defaults import page_not_found
from django_ratelimit.core import get_usage

from partners.models import User
from partners.sessions import active_organisation, partner_memberships
from portal.http import AuthenticatedRequest
from requests_app.models import Inquiry, StatusLink
from requests_app.partner_forms import ReplyToCentreForm, WithdrawInquiryForm
from requests_app.partner_selectors import partner_inquiries, partner_inquiry, partner_inquiry_rows
from requests_app.services import conversation, lifecycle, status_links
from requests_app.services.errors import InquiryStateError

logger = logging.getLogger(__name__)

PAGE_TEMPLATE = "requests_app/partner_inquiry.html"
REFERRER_POLICY = "strict-origin"
# "Send me a fresh link": per client address, and per link so that nobody can flood the address it was sent to.
FRESH_LINK_RATE_PER_ADDRESS = "5/h"
FRESH_LINK_RATE_PER_LINK = "3/d"
_FRESH_LINK_GROUP = "requests_app.status_link_fresh"
# Replies (with up to 10 files of 10 MB each): per inquiry, so that a leaked status link cannot fill the disk or the
# handler's inbox, and per client address, across inquiries. Counted when a reply is stored.
REPLY_RATE_PER_INQUIRY = "20/d"
REPLY_RATE_PER_ADDRESS = "30/h"
_REPLY_GROUP = "requests_app.partner_reply"


def private_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Headers for the partner's pages: never cached (not by the browser, nor by a shared proxy), never indexed,
    and a Referer that is only ever the site's origin, never the address: a status link's token is in the address,
    and would otherwise travel to our own access logs with every click on the page (the site's same-origin policy),
    or to other sites. Not `no-referrer`: with it browsers send `Origin: null` with the page's forms (the Fetch
    standard), and Django's CSRF check refuses them, the reply, withdraw, language and logout forms alike.
    `strict-origin` keeps the Origin header, so the forms work, and sends no path. Set on 404s too."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            response = view(request, *args, **kwargs)
        except Http404 as error:
            response = page_not_found(request, error)
        add_never_cache_headers(response)
        response["Referrer-Policy"] = REFERRER_POLICY
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


@dataclass(frozen=True)
class PartnerAccess:
    """How the partner reached the inquiry: the addresses of its page and forms, and who acts (None: a link)."""

    inquiry: Inquiry
    actor: User | None
    page_url: str
    reply_url: str
    withdraw_url: str
    list_url: str = ""  # My inquiries, for a partner who logged in
    token: str = ""  # a status link's: its attachments are downloaded through the link too


def _page(
    request: HttpRequest,
    access: PartnerAccess,
    *,
    reply_form: ReplyToCentreForm | None = None,
    withdraw_form: WithdrawInquiryForm | None = None,
    status: int = 200,
) -> HttpResponse:
    view = partner_inquiry(access.inquiry)
    context = {
        "view": view,
        "inquiry": access.inquiry,
        "access": access,
        "reply_form": (reply_form or ReplyToCentreForm(prefix="reply")) if view.may_reply else None,
        "withdraw_form": (withdraw_form or WithdrawInquiryForm(prefix="withdraw")) if view.may_withdraw else None,
    }
    return render(request, PAGE_TEMPLATE, context, status=status)


_Limit = tuple[str, str | Callable[..., str], str]  # group, key, rate


def _usages(request: HttpRequest, limits: list[_Limit], *, increment: bool, what: str) -> list[dict[str, Any]]:
    """This request's counts against `limits` (django-ratelimit), counting it too when `increment`. Fails open, like
    the intake form's limit: when the cache cannot count, none (a cache outage must not stop a partner)."""
    try:
        usages = [
            get_usage(request, group=group, key=key, rate=rate, method="POST", increment=increment)
            for group, key, rate in limits
        ]
    except Exception:
        logger.warning("%s rate limit could not be counted; letting it through.", what, exc_info=True)
        return []
    return [usage for usage in usages if usage is not None]


def _reply_usages(request: HttpRequest, inquiry: Inquiry, *, increment: bool) -> list[dict[str, Any]]:
    """This client's and this inquiry's stored replies in their windows."""
    limits: list[_Limit] = [
        (f"{_REPLY_GROUP}.address", "portal.http.client_ip", REPLY_RATE_PER_ADDRESS),
        (f"{_REPLY_GROUP}.inquiry", lambda group, request: str(inquiry.pk), REPLY_RATE_PER_INQUIRY),
    ]
    return _usages(request, limits, increment=increment, what="Reply")


def _reply(request: HttpRequest, access: PartnerAccess) -> HttpResponse:
    form = ReplyToCentreForm(request.POST, request.FILES, prefix="reply")
    if not form.is_valid():
        return _page(request, access, reply_form=form, status=400)
    full = [
        usage for usage in _reply_usages(request, access.inquiry, increment=False) if usage["count"] >= usage["limit"]
    ]
    if full:
        seconds_left = max(int(usage["time_left"]) for usage in full)
        retry_at = timezone.localtime() + datetime.timedelta(seconds=seconds_left)
        messages.error(
            request,
            _(
                "Many messages have been sent about this inquiry in a short time, so this one was not sent. Your "
                "text is kept below: send it again after %(time)s (attach any files again)."
            )
            % {"time": formats.time_format(retry_at, "TIME_FORMAT")},
        )
        response = _page(request, access, reply_form=form, status=429)
        response["Retry-After"] = str(seconds_left)
        return response
    try:
        conversation.record_partner_reply(
            access.inquiry,
            body=form.cleaned_data["body"],
            attachments=form.cleaned_data["attachments"],
            actor=access.actor,
        )
    except InquiryStateError as error:
        messages.error(request, str(error))
    else:
        _reply_usages(request, access.inquiry, increment=True)
        messages.success(request, _("Thank you. Your message has been sent to the person handling your inquiry."))
    return redirect(access.page_url)


def _withdraw(request: HttpRequest, access: PartnerAccess) -> HttpResponse:
    form = WithdrawInquiryForm(request.POST, prefix="withdraw")
    if not form.is_valid():
        return _page(request, access, withdraw_form=form, status=400)
    try:
        lifecycle.withdraw_inquiry(access.inquiry, reason=form.cleaned_data["reason"], actor=access.actor)
    except InquiryStateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your inquiry is withdrawn. Thank you for letting us know."))
    return redirect(access.page_url)


# --- Through a status link ------------------------------------------------------------------------------------


def _link(token: str) -> StatusLink:
    link = status_links.status_link_for(token)
    if link is None:
        raise Http404
    return link


def _link_access(link: StatusLink, token: str) -> PartnerAccess:
    return PartnerAccess(
        inquiry=link.inquiry,
        actor=None,
        page_url=reverse("requests_app:status-link", args=[token]),
        reply_url=reverse("requests_app:status-link-reply", args=[token]),
        withdraw_url=reverse("requests_app:status-link-withdraw", args=[token]),
        token=token,
    )


def _unavailable(request: HttpRequest, link: StatusLink, token: str, state: status_links.LinkState) -> HttpResponse:
    """A revoked link says so and offers a fresh one by e-mail; an expired one says why it stopped working."""
    context = {
        "link": link,
        "state": state,
        "days": StatusLink.VALID_DAYS_AFTER_FINISHING,
        "fresh_url": reverse("requests_app:status-link-fresh", args=[token]),
    }
    return render(request, "requests_app/status_link_unavailable.html", context)


def _valid_link_or_page(request: HttpRequest, token: str) -> PartnerAccess | HttpResponse:
    link = _link(token)
    state = status_links.status_link_state(link)
    if state != status_links.LinkState.VALID:
        return _unavailable(request, link, token, state)
    status_links.mark_status_link_used(link)
    return _link_access(link, token)


@private_page
def status_link_page(request: HttpRequest, token: str) -> HttpResponse:
    """The inquiry behind a status link: anyone with the link may read it, answer and withdraw it."""
    access = _valid_link_or_page(request, token)
    return access if isinstance(access, HttpResponse) else _page(request, access)


@private_page
@require_POST
def status_link_reply(request: HttpRequest, token: str) -> HttpResponse:
    access = _valid_link_or_page(request, token)
    return access if isinstance(access, HttpResponse) else _reply(request, access)


@private_page
@require_POST
def status_link_withdraw(request: HttpRequest, token: str) -> HttpResponse:
    access = _valid_link_or_page(request, token)
    return access if isinstance(access, HttpResponse) else _withdraw(request, access)


def _within_fresh_link_limits(request: HttpRequest, link: StatusLink) -> bool:
    """Count this request per client address and per link; whether it is within both."""
    limits: list[_Limit] = [
        (f"{_FRESH_LINK_GROUP}.address", "portal.http.client_ip", FRESH_LINK_RATE_PER_ADDRESS),
        (f"{_FRESH_LINK_GROUP}.link", lambda group, request: str(link.pk), FRESH_LINK_RATE_PER_LINK),
    ]
    usages = _usages(request, limits, increment=True, what="Fresh status link")
    return not any(usage["should_limit"] for usage in usages)


@private_page
@require_POST
def status_link_fresh(request: HttpRequest, token: str) -> HttpResponse:
    """A revoked link asks for a fresh one, which goes to the address the old one was sent to and nowhere else.

    The answer is the same whether or not anything was sent (the link works again, the limit was reached, the
    address is gone), so the page reveals nothing about the inquiry or its contact.
    """
    link = _link(token)
    if _within_fresh_link_limits(request, link):
        status_links.send_fresh_status_link(link)
    messages.info(
        request,
        _(
            "If a new link can be sent, it is on its way to the e-mail address this link was sent to. "
            "It may take a few minutes; check your spam folder too."
        ),
    )
    return redirect("requests_app:status-link", token=token)


# --- My inquiries, for a partner who logs in --------------------------------------------------------------------


def _account_access(request: AuthenticatedRequest, pk: int) -> PartnerAccess:
    inquiry = get_object_or_404(partner_inquiries(request.user), pk=pk)
    return PartnerAccess(
        inquiry=inquiry,
        actor=request.user,
        page_url=reverse("requests_app:my-inquiry-detail", args=[pk]),
        reply_url=reverse("requests_app:my-inquiry-reply", args=[pk]),
        withdraw_url=reverse("requests_app:my-inquiry-withdraw", args=[pk]),
        list_url=reverse("requests_app:my-inquiry-list"),
    )


@login_required
@private_page
def my_inquiry_list(request: AuthenticatedRequest) -> HttpResponse:
    """The account's inquiries, newest first, narrowed to the organisation it speaks for (see partner_inquiry_rows)."""
    active = active_organisation(request)
    rows = partner_inquiry_rows(
        request.user,
        speaking_for=active.pk if active else None,
        member_of=[membership.organisation_id for membership in partner_memberships(request)],
    )
    return render(request, "requests_app/my_inquiry_list.html", {"rows": rows})


@login_required
@private_page
def my_inquiry_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _page(request, _account_access(request, pk))


@login_required
@private_page
@require_POST
def my_inquiry_reply(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _reply(request, _account_access(request, pk))


@login_required
@private_page
@require_POST
def my_inquiry_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _withdraw(request, _account_access(request, pk))
