"""Gunicorn's settings for the portal's web processes: `gunicorn -c deploy/gunicorn.conf.py portal.wsgi`.

The Procfile, the systemd unit, the container file and the two-node test all start gunicorn with this file; the
command line overrides any of it (`--bind`, `--workers`). Environment variables:

- GUNICORN_BIND: the address to listen on (default 127.0.0.1:8000, for a proxy on the same machine; the container
  sets 0.0.0.0:8000). Ignored under systemd socket activation (deploy/systemd/portal-web.socket).
- WEB_CONCURRENCY: worker processes (default: twice the CPUs this process may use, plus one, at most 9).
- GUNICORN_THREADS: threads per worker (default 1: sync workers, which need a buffering proxy such as nginx in
  front; more than 1 switches to gthread workers).
- GUNICORN_TIMEOUT: seconds a request may take before its worker is restarted (default 60: an XLSX export of a
  large inbox is the slowest page; the UNECE report's PDF is rendered by Celery, not here).
"""

import os


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this container or cgroup may use, not the host's
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise RuntimeError(f"{name} must be a whole number of at least 1, not {raw!r}.")
    return int(raw)


wsgi_app = "portal.wsgi"
bind = [os.environ.get("GUNICORN_BIND", "").strip() or "127.0.0.1:8000"]
# Each worker holds its own database connection (DB_CONN_MAX_AGE): workers x threads x web nodes must stay well
# below PostgreSQL's max_connections (or use PgBouncer).
workers = _int("WEB_CONCURRENCY", min(2 * _cpus() + 1, 9))
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("GUNICORN_TIMEOUT", 60)
# The portal is imported once, in the master, before the workers are forked: they start faster and share memory,
# and a broken configuration stops the master at once instead of making workers fail in a loop. (Nothing connects
# at import: database and Redis connections are opened by each worker.) New code therefore needs a restart of the
# service, not a HUP.
preload_app = True
# On SIGTERM (a deployment, systemd stop) requests under way get this long to finish.
graceful_timeout = 30
# Behind a load balancer that keeps connections open (gthread workers only; sync workers close each one).
keepalive = 5
# Restart each worker after this many requests (jittered, so that they do not restart together): bounds the growth
# of a worker's memory over weeks.
max_requests = 2000
max_requests_jitter = 200
# The workers' heartbeat files on tmpfs: a container's overlay file system can stall them into false timeouts.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - a directory, not a file name

# Request lines and errors on standard output and error, for journald or the container runtime. %(M)s: time taken
# in milliseconds. Status-link tokens are removed from the access log (on_starting below), as from Django's.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
proc_name = "portal-web"
# No gunicornc control socket: systemd or the container runtime manages the processes, and two web processes on one
# machine (the two-node test) would otherwise share its default path.
control_socket_disable = True


def on_starting(server: object) -> None:
    """Redact status-link tokens (in the path or the Referer) from the access log, as the portal's own log does."""
    import logging

    from portal.log_filters import RedactStatusLinkTokens

    logging.getLogger("gunicorn.access").addFilter(RedactStatusLinkTokens())


def pre_fork(server: object, worker: object) -> None:
    """The application is preloaded in the master: freeze what it loaded, so that a full garbage collection in a
    worker walks only the objects its requests make (shorter pauses) and the preloaded pages stay shared."""
    import gc

    gc.freeze()
