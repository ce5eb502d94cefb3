"""The Celery application; tasks are discovered in each app's tasks.py."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic jobs (run by exactly one `celery beat`); times are Europe/Oslo (CELERY_TIMEZONE).
app.conf.beat_schedule = {
    "requeue-undelivered-email": {
        "task": "requests_app.tasks.requeue_undelivered_email",
        "schedule": 300.0,  # every five minutes: what Redis or a dead worker held up goes out soon after
    },
    # The summary dashboard's large periods (requests_app/services/figures.py): counted again while looked at.
    "refresh-summary-snapshots": {
        "task": "requests_app.tasks.refresh_summary_snapshots",
        "schedule": 300.0,  # requests_app.services.figures.REFRESH_EVERY
    },
    "remind-follow-ups": {
        "task": "requests_app.tasks.remind_follow_ups",
        "schedule": crontab(minute=45, hour=7, day_of_week="mon-fri"),
    },
    "remind-interim-replies": {
        "task": "requests_app.tasks.remind_interim_replies",
        "schedule": crontab(minute=30, hour=7, day_of_week="mon-fri"),
    },
    # The referral handshake: the unit is reminded first, and escalation comes after, so on a morning that owes
    # both (the job did not run for a while) the unit's reminder still goes out before the secretariat is told.
    "remind-units-to-respond": {
        "task": "requests_app.tasks.remind_units_to_respond",
        "schedule": crontab(minute=40, hour=7, day_of_week="mon-fri"),
    },
    "escalate-unanswered-referrals": {
        "task": "requests_app.tasks.escalate_unanswered_referrals",
        "schedule": crontab(minute=50, hour=7, day_of_week="mon-fri"),
    },
    # The chief municipal executive's weekly digest, Monday 07:00 (once per ISO week per person, however often it runs).
    "send-weekly-digest": {
        "task": "requests_app.tasks.send_weekly_digest",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
    # At night, when nobody is working on the inquiries it may lock.
    "apply-retention-rules": {
        "task": "requests_app.tasks.apply_retention_rules",
        "schedule": crontab(minute=15, hour=3),
    },
}
