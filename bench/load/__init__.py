"""The load test of issue #9: `make load` (bench/load/run.py) runs bench/load/locustfile.py against gunicorn,
PostgreSQL, Redis and a Celery worker, and judges the result with bench/load/checks.py."""
