"""Bokmål formats: Django's, with "kl." before the time as Norwegian public bodies write it."""

from django.conf.locale.nb.formats import *  # type: ignore[import-untyped]  # noqa: F403

DATETIME_FORMAT = r"j. F Y \k\l. H:i"
SHORT_DATETIME_FORMAT = r"d.m.Y \k\l. H:i"
