"""Tools that measure the portal from outside: the load test (bench/load/). The in-process benchmark is
`manage.py bench` (requests_app/benchmark/)."""
