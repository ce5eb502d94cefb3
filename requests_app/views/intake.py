"""Intake: the public inquiry form and its receipt, and the secretariat registering an inquiry."""

import datetime
import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from django_ratelimit.core import get_usage

from partners.models import User
from partners.selectors import contact_in, primary_verified_address
from partners.services import ContactDetails, OrganisationDetails
from partners.sessions import active_organisation
from portal.access import staff_required
from portal.http import AuthenticatedRequest
from requests_app.forms import InquiryIntakeForm, StaffInquiryForm
from requests_app.models import Inquiry
from requests_app.services import intake

logger = logging.getLogger(__name__)

_RECEIPT_SESSION_KEY = "submitted_inquiry_id"
_RATE_GROUP = "requests_app.intake"


def _intake_usage(request: HttpRequest, *, increment: bool) -> dict[str, Any] | None:
    """The client's submission count this window, or None when the limit is off or cannot be counted.

    The limit fails open: if the cache (Redis) is down, a partner's submission must still go through.
    """
    try:
        return get_usage(
            request,
            group=_RATE_GROUP,
            key="portal.http.client_ip",
            rate=settings.INTAKE_RATE_LIMIT,
            method="POST",
            increment=increment,
        )
    except Exception:
        logger.warning("Intake rate limit could not be counted; letting the submission through.", exc_info=True)
        return None


def _rate_limited_response(request: HttpRequest, form: InquiryIntakeForm, seconds_left: int) -> HttpResponse:
    """A 429 that says when to try again and shows the person's own text, so nothing they wrote is lost."""
    retry_at = timezone.localtime() + datetime.timedelta(seconds=seconds_left)
    response = render(
        request,
        "requests_app/inquiry_rate_limited.html",
        {"form": form, "retry_at": retry_at, "minutes_left": max(1, round(seconds_left / 60))},
        status=429,
    )
    response["Retry-After"] = str(seconds_left)
    return response


def _submit_from_form(
    request: HttpRequest, form: InquiryIntakeForm, *, channel: str = Inquiry.Channel.WEB, send_receipt: bool = True
) -> Inquiry:
    data = form.cleaned_data
    return intake.submit_inquiry(
        organisation=OrganisationDetails(
            name=data["organisation_name"],
            kind=data["organisation_kind"],
            country=data["country"],
            organisation_number=data["organisation_number"],
        ),
        contact=ContactDetails(
            name=data["contact_name"],
            email=data["contact_email"],
            role=data["contact_role"],
            phone=data["contact_phone"],
            preferred_language=data["language"],
        ),
        title=data["title"],
        description=data["description"],
        inquiry_type=data["inquiry_type"],
        language=data["language"],
        sdg_goals=data["sdg_goals"],
        sdg_targets=data["sdg_targets"],
        consent_given=data["consent"],
        channel=channel,
        send_receipt=send_receipt,
        actor=request.user if isinstance(request.user, User) else None,
    )


def _partner_initial(request: HttpRequest) -> dict[str, Any]:
    """For a signed-in partner: the organisation they speak for now, and themselves as its contact (name, primary
    verified address, language, and the role and phone the register has for them there). Empty for staff, who
    register inquiries on behalf of others, and for anyone else."""
    user = request.user
    if not isinstance(user, User) or user.has_staff_access:
        return {}
    email = primary_verified_address(user)
    initial: dict[str, Any] = {
        "contact_name": user.full_name,
        "contact_email": email,
        "language": user.preferred_language,
    }
    organisation = active_organisation(request)
    if organisation is not None:
        initial.update(
            organisation_name=organisation.name,
            organisation_kind=organisation.kind,
            organisation_number=organisation.organisation_number,
            country=str(organisation.country),
        )
        contact = contact_in(organisation, email)
        if contact is not None and not contact.is_anonymised:
            initial.update(contact_role=contact.role, contact_phone=contact.phone)
    return {field: value for field, value in initial.items() if value}


@method_decorator(never_cache, name="dispatch")
class InquiryCreateView(TemplateView):
    """The public intake form: anyone may ask; a valid post is stored and the receipt e-mailed."""

    template_name = "requests_app/inquiry_form.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        initial = {"language": (get_language() or "nb")[:2], "country": "NO", **_partner_initial(request)}
        return self.render_to_response({"form": InquiryIntakeForm(initial=initial)})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = InquiryIntakeForm(request.POST)
        if form.is_spam:
            logger.info("Intake honeypot filled in; nothing stored.")
            return render(request, "requests_app/inquiry_thanks.html")
        if not form.is_valid():
            return self.render_to_response({"form": form}, status=200)
        usage = _intake_usage(request, increment=False)
        if usage is not None and usage["count"] >= usage["limit"]:
            return _rate_limited_response(request, form, int(usage["time_left"]))
        inquiry = _submit_from_form(request, form)
        _intake_usage(request, increment=True)
        request.session[_RECEIPT_SESSION_KEY] = inquiry.pk
        return redirect("requests_app:inquiry-receipt")


@never_cache
def inquiry_receipt(request: HttpRequest) -> HttpResponse:
    """The receipt for the inquiry this browser just sent; nobody else's inquiry is reachable here."""
    inquiry_id = request.session.get(_RECEIPT_SESSION_KEY)
    if inquiry_id is None:
        return redirect("requests_app:inquiry-create")
    inquiry = get_object_or_404(Inquiry.objects.select_related("organisation", "contact"), pk=inquiry_id)
    return render(request, "requests_app/inquiry_receipt.html", {"inquiry": inquiry})


@staff_required
@never_cache
def staff_inquiry_create(request: AuthenticatedRequest) -> HttpResponse:
    """The secretariat registers an inquiry that came by e-mail, phone or in a meeting."""
    if not request.user.may_register_inquiries:
        raise PermissionDenied
    if request.method == "POST":
        form = StaffInquiryForm(request.POST)
        if form.is_valid():
            inquiry = _submit_from_form(
                request, form, channel=form.cleaned_data["channel"], send_receipt=form.cleaned_data["send_receipt"]
            )
            messages.success(request, _("Inquiry %(reference)s is registered.") % {"reference": inquiry.reference})
            return redirect(inquiry)
    else:
        form = StaffInquiryForm(initial={"language": "nb", "country": "NO", "send_receipt": True})
    return render(request, "requests_app/inquiry_staff_form.html", {"form": form})
