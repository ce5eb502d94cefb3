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
    "remind-interim-replies": {
        "task": "requests_app.tasks.remind_interim_replies",
        "schedule": crontab(minute=30, hour=7, day_of_week="mon-fri"),
    },
}
