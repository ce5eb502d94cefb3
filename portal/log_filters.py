"""Logging filters for the handlers in settings.LOGGING."""

import logging
import re

# A status link's address is /status/<token>/ (with or without the /en/ prefix); the token opens the inquiry.
_STATUS_LINK_TOKEN = re.compile(r"(/status/)[A-Za-z0-9_-]+")


class RedactStatusLinkTokens(logging.Filter):
    """Replace status-link tokens in log messages by "[redacted]".

    Django logs the path of every 4xx and 5xx answer ("Not Found: /status/…/", "Bad Request: …/reply/"), and
    logs are read by more people, kept longer and shipped further than the database, which holds only the
    tokens' hashes.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _STATUS_LINK_TOKEN.sub(r"\1[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
