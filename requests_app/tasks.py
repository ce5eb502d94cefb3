"""Work done after the response: delivering the outbox's e-mails, and the periodic sweeps and reminders."""

from celery import Task, shared_task
from django.utils import timezone


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def deliver_outbox_message(self: Task, outbox_id: int) -> bool:
    """Send one outbox e-mail, at most once; on a mail-server failure try again later, backing off.

    Late acknowledgement: a worker killed mid-task leaves the message on the queue for the next worker, and the
    row's lock and status make the second run harmless.
    """
    from requests_app.services import outbox

    try:
        return outbox.deliver_outbox_message(outbox_id)
    except outbox.DeliveryFailed as failure:
        if self.request.is_eager:
            return False  # no worker to retry on (the embedded set-up): the row waits for the sweeper or staff
        raise self.retry(exc=failure, countdown=min(30 * 2**self.request.retries, 3600)) from failure


@shared_task
def requeue_undelivered_email() -> int:
    """Periodic: queue again every outbox e-mail still waiting (Redis was down, a worker died)."""
    from requests_app.services.outbox import requeue_undelivered

    return requeue_undelivered()


@shared_task
def refresh_summary_snapshots() -> int:
    """Periodic: count again the large periods' dashboard figures that people are looking at."""
    from requests_app.services.figures import refresh_snapshots

    return refresh_snapshots(now=timezone.now())


@shared_task
def remind_interim_replies() -> int:
    """Periodic: remind owners of inquiries whose decision will be late and that have no interim reply."""
    from requests_app import selectors
    from requests_app.services.reminders import remind_about_interim_reply

    now = timezone.now()
    reminded = 0
    for inquiry in selectors.inquiries_needing_interim_reply(today=timezone.localtime(now).date()):
        reminded += remind_about_interim_reply(inquiry, now=now)
    return reminded


@shared_task
def apply_retention_rules() -> int:
    """Periodic (nightly): remove the personal data of finished inquiries past their retention period.

    Harmless if run twice: inquiries already done are not touched again. Returns how many were done.
    """
    from requests_app.services.retention import apply_retention

    return apply_retention(now=timezone.now()).inquiries


@shared_task
def remind_follow_ups() -> int:
    """Periodic: remind owners whose outcome's follow-up date has come to record the effect."""
    from requests_app import selectors
    from requests_app.services.outcomes import remind_about_follow_up

    now = timezone.now()
    return sum(
        remind_about_follow_up(outcome, now=now)
        for outcome in selectors.outcomes_due_for_follow_up(today=timezone.localtime(now).date())
    )


@shared_task
def remind_units_to_respond() -> int:
    """Periodic: remind units whose accept-or-decline date has come and who have not answered a referral."""
    from requests_app import selectors
    from requests_app.services.handshake import remind_unit_to_respond

    now = timezone.now()
    return sum(
        remind_unit_to_respond(assignment, now=now)
        for assignment in selectors.referrals_to_remind(today=timezone.localtime(now).date())
    )


@shared_task
def escalate_unanswered_referrals() -> int:
    """Periodic: tell the secretariat of referrals still unanswered a business day after their date."""
    from requests_app import selectors
    from requests_app.services.handshake import escalate_unanswered_referral

    now = timezone.now()
    return sum(
        escalate_unanswered_referral(assignment, now=now)
        for assignment in selectors.referrals_to_escalate(today=timezone.localtime(now).date())
    )


@shared_task(acks_late=True)
def render_unece_report(run_id: int) -> str:
    """Render a ReportRun's PDF of the yearly UNECE report; a run that is done is not rendered again. Returns the
    run's status."""
    from requests_app.services.reports import render_report_run

    return render_report_run(run_id).status


@shared_task
def send_weekly_digest() -> int:
    """Periodic (Monday mornings): the weekly digest to every active executive, at most once per ISO week each, so a
    second run (beat firing twice, a retry) writes nothing. Returns how many were written."""
    from requests_app.services.digest import send_weekly_digest as write_digests

    return write_digests(now=timezone.now())
