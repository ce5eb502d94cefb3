"""Load data and the benchmark: `manage.py generate_load_data` and `manage.py bench` (issue #9)."""
