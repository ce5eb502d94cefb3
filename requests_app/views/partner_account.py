"""A partner's own account pages: the organisation they speak for (members, invitations), accepting an invitation,
switching organisation, downloading their data and deleting their account.

Any signed-in account opens them (staff find no organisation there and cannot delete their account here). What
an account sees of inquiries is requests_app.selectors.inquiries_of_partner: sent from its verified addresses, or
of the organisations it is a member of.
"""

import json

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partners import selectors as partner_selectors
from partners.forms import InvitationForm, OrganisationChoiceForm
from partners.models import OrganisationInvitation
from partners.services import MembershipError, accept_invitation, invitation_problem, revoke_invitation
from partners.sessions import active_organisation, choose_organisation, partner_memberships
from portal.http import AuthenticatedRequest
from requests_app import account_selectors
from requests_app.services import partner_accounts


def _organisation_page(
    request: AuthenticatedRequest, *, form: InvitationForm | None = None, status: int = 200
) -> HttpResponse:
    organisation = active_organisation(request)
    context: dict[str, object] = {"organisation": organisation, "memberships": partner_memberships(request)}
    if organisation is not None:
        is_admin = any(
            membership.is_admin and membership.organisation_id == organisation.pk
            for membership in partner_memberships(request)
        )
        context.update(
            {
                "members": partner_selectors.organisation_members(organisation),
                "is_admin": is_admin,
                "invitations": (
                    partner_selectors.pending_invitations(organisation, now=timezone.now()) if is_admin else []
                ),
                "form": form or InvitationForm(),
            }
        )
    return render(request, "requests_app/organisation_members.html", context, status=status)


@login_required
@never_cache
@require_GET
def my_organisation(request: AuthenticatedRequest) -> HttpResponse:
    """The organisation the partner speaks for now: its members and, for its admins, invitations."""
    return _organisation_page(request)


@login_required
@require_POST
def invitation_create(request: AuthenticatedRequest) -> HttpResponse:
    """An organisation admin invites a colleague to the organisation the admin speaks for now (a non-admin is told
    no); an account without an organisation gets a 404."""
    organisation = active_organisation(request)
    if organisation is None:
        raise Http404
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return _organisation_page(request, form=form, status=400)
    try:
        invitation = partner_accounts.send_invitation(
            organisation, email=form.cleaned_data["email"], actor=request.user, language=(get_language() or "nb")[:2]
        )
    except MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("An invitation is on its way to %(email)s.") % {"email": invitation.email})
    return redirect("requests_app:my-organisation")


@login_required
@require_POST
def invitation_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """An organisation admin withdraws a pending invitation; an invitation to another organisation is a 404."""
    organisation_ids = [membership.organisation_id for membership in partner_memberships(request)]
    invitation = get_object_or_404(OrganisationInvitation, pk=pk, organisation_id__in=organisation_ids)
    try:
        revoke_invitation(invitation, actor=request.user)
    except MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email})
    return redirect("requests_app:my-organisation")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: AuthenticatedRequest, token: str) -> HttpResponse:
    """An e-mailed invitation: shown on GET, accepted on POST. Only an account that has verified the invited address
    may accept; otherwise, and for a used, withdrawn or expired invitation, the page says why (403, 410)."""
    invitation = partner_selectors.invitation_for_token(token)
    if invitation is None:
        raise Http404
    now = timezone.now()
    problem = invitation_problem(invitation, user=request.user, now=now)
    if request.method == "POST" and not problem:
        try:
            membership = accept_invitation(invitation, user=request.user, now=now)
        except MembershipError as error:  # changed since the check above (withdrawn, used in another tab)
            problem = str(error)
        else:
            choose_organisation(request, membership.organisation_id)
            messages.success(
                request, _("You now speak for %(organisation)s.") % {"organisation": membership.organisation}
            )
            return redirect("requests_app:my-organisation")
    status = 200
    if problem:
        status = 410 if not invitation.is_pending(now) else 403
    context = {"invitation": invitation, "problem": problem}
    return render(request, "requests_app/invitation_accept.html", context, status=status)


@login_required
@require_POST
def organisation_switch(request: AuthenticatedRequest) -> HttpResponse:
    """Speak for another of the account's organisations from now on in this session, and go back to the page."""
    form = OrganisationChoiceForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    organisation = choose_organisation(request, form.cleaned_data["organisation"])
    if organisation is None:
        raise Http404
    messages.success(request, _("You now speak for %(organisation)s.") % {"organisation": organisation})
    target = form.cleaned_data["next"]
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("requests_app:my-organisation")


@login_required
@never_cache
@require_GET
def account_data(request: AuthenticatedRequest) -> HttpResponse:
    """Everything the portal shows the person about themselves, readable; recorded for the secretariat."""
    data = account_selectors.account_data(request.user, now=timezone.now())
    partner_accounts.record_data_download(request.user)
    return render(request, "requests_app/account_data.html", {"data": data})


@login_required
@never_cache
@require_GET
def account_data_json(request: AuthenticatedRequest) -> HttpResponse:
    """The same data as a JSON file to keep; recorded for the secretariat."""
    now = timezone.now()
    document = account_selectors.account_data_document(account_selectors.account_data(request.user, now=now))
    partner_accounts.record_data_download(request.user)
    response = HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="my-data-{timezone.localdate(now):%Y-%m-%d}.json"'
    return response


@login_required
@never_cache
@reauthentication_required(allow_get=True)
@require_http_methods(["GET", "POST"])
def account_delete(request: AuthenticatedRequest) -> HttpResponse:
    """A partner deletes their own account: a confirmed POST, after giving the password again (allauth's
    reauthentication, which then resumes the POST, as for adding an authenticator). Staff accounts are closed by
    an administrator: 403."""
    if request.user.has_staff_access:
        raise PermissionDenied
    missing_confirmation = False
    if request.method == "POST":
        if request.POST.get("confirm") == "yes":
            try:
                partner_accounts.delete_partner_account(request.user)
            except MembershipError as error:
                messages.error(request, str(error))
                return redirect("requests_app:account-delete")
            logout(request)
            messages.success(request, _("Your account has been deleted."))
            return redirect("requests_app:landing")
        missing_confirmation = True
    return render(
        request,
        "requests_app/account_delete.html",
        {"missing_confirmation": missing_confirmation},
        status=400 if missing_confirmation else 200,
    )
