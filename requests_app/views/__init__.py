"""The views of requests_app, by topic: pages, intake, the inbox and the inquiry page."""
