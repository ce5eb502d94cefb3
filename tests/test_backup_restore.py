"""The backup and restore procedures of docs/deployment.md lose nothing, on SQLite and on PostgreSQL.

Each test seeds a database of its own with the portal's migrations and `seed_demo` (which takes inquiries
through the real services), backs it up with the documented commands, restores the backup into a new database
and compares every table, row by row on SQLite and by row count and checksum on PostgreSQL.
"""

import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings

from tests.live import PROJECT_ROOT, process_env

# An inquiry submitted through the intake service by a process that keeps its connection open, like a running
# portal; it prints the new reference and waits for a line on stdin before it exits.
LIVE_WRITER = """
import sys
from partners.services import ContactDetails, OrganisationDetails
from requests_app.services.intake import submit_inquiry

inquiry = submit_inquiry(
    organisation=OrganisationDetails(name="Sendt under sikkerhetskopien AS", kind="company", country="NO"),
    contact=ContactDetails(name="Siste Innsender", email="siste.innsender@example.no"),
    title="Sent while the backup ran",
    description="Committed, but still in the write-ahead log when the backup is taken.",
    inquiry_type="other",
    language="nb",
    send_receipt=False,
)
print("reference=" + inquiry.reference, flush=True)
sys.stdin.readline()
"""


def manage(*arguments: str, database_url: str) -> str:
    """Run a management command of the portal against `database_url`; returns its output, fails on an error."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *arguments],
        cwd=PROJECT_ROOT,
        env=process_env(DATABASE_URL=database_url),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"manage.py {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def run(command: list[str], **env: str) -> str:
    """Run one of the documented command-line tools; fails with its output when it fails."""
    result = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=300, env={**process_env(), **env}
    )
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def seed(database_url: str) -> None:
    manage("migrate", "--noinput", database_url=database_url)
    manage("seed_demo", database_url=database_url)


# --- SQLite -------------------------------------------------------------------------------------------------


@contextmanager
def live_writer(database_url: str, *, log: Path) -> Iterator[str]:
    """Submit an inquiry from a portal process that keeps the database open; yields the inquiry's reference."""
    with log.open("w") as log_file:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", LIVE_WRITER],
            cwd=PROJECT_ROOT,
            env=process_env(DATABASE_URL=database_url),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log_file,
            text=True,
        )
    assert process.stdin is not None and process.stdout is not None
    try:
        line = process.stdout.readline()
        assert line.startswith("reference="), f"the writer failed:\n{line}{log.read_text()}"
        yield line.removeprefix("reference=").strip()
    finally:
        with suppress(BrokenPipeError):  # the writer may have died already; its log says why
            process.stdin.write("\n")
            process.stdin.flush()
        with suppress(BrokenPipeError):
            process.stdin.close()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        process.stdout.close()


def sqlite_contents(path: Path) -> tuple[list[tuple[Any, ...]], dict[str, list[tuple[Any, ...]]]]:
    """The schema (tables, indexes, triggers) and every table's rows in storage order, read only."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as database:
        schema = database.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
        tables = {name: sql or "" for kind, name, _, sql in schema if kind == "table"}
        rows = {table: database.execute(_in_storage_order(table, sql)).fetchall() for table, sql in tables.items()}
    return schema, rows


def _in_storage_order(table: str, sql: str) -> str:
    # A WITHOUT ROWID table (the full-text index's configuration, for one) is stored in the order of its key.
    order = "1" if "WITHOUT ROWID" in sql.upper() else "rowid"
    return f'SELECT * FROM "{table}" ORDER BY {order}'  # noqa: S608


def inquiry_references(path: Path) -> set[str]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as database:
        return {reference for (reference,) in database.execute("SELECT reference FROM requests_app_inquiry")}


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="needs the sqlite3 command-line tool (Debian's sqlite3)")
def test_sqlite_backup_taken_while_the_portal_runs_restores_every_row(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    backup = tmp_path / "portal-backup.sqlite3"
    restored = tmp_path / "restored.sqlite3"
    database_url = f"sqlite:///{database}"
    seed(database_url)

    with live_writer(database_url, log=tmp_path / "writer.log") as live_reference:
        # The newest inquiry is committed but only in the write-ahead log, as on a running portal: a plain copy
        # of the database file would miss it. (This guards the test itself: the backup below must do better.)
        assert Path(f"{database}-wal").stat().st_size > 0
        plain_copy = tmp_path / "plain-copy.sqlite3"
        shutil.copyfile(database, plain_copy)
        assert live_reference not in inquiry_references(plain_copy)

        # docs/deployment.md, "SQLite": the backup, then its verification.
        run(["sqlite3", str(database), f".backup '{backup}'"])
    assert run(["sqlite3", str(backup), "PRAGMA integrity_check"]).strip() == "ok"

    # The restore, into a new database file, and the portal's check that its schema is current.
    run(["sqlite3", str(restored), f".restore '{backup}'"])
    manage("migrate", "--check", database_url=f"sqlite:///{restored}")

    original_schema, original_rows = sqlite_contents(database)
    restored_schema, restored_rows = sqlite_contents(restored)
    assert restored_schema == original_schema
    assert sorted(restored_rows) == sorted(original_rows)
    for table, rows in original_rows.items():
        assert restored_rows[table] == rows, f"{table}: {len(rows)} rows, {len(restored_rows[table])} restored"
    # Not two empty databases: the demo's inquiries, their histories and the one sent during the backup.
    assert live_reference in inquiry_references(restored)
    assert len(original_rows["requests_app_inquiry"]) > 40
    assert len(original_rows["requests_app_inquiryevent"]) > len(original_rows["requests_app_inquiry"])


# --- PostgreSQL ---------------------------------------------------------------------------------------------


def postgres_server() -> dict[str, str]:
    """Host, port, user and password of the test's PostgreSQL server, as libpq environment variables."""
    db = settings.DATABASES["default"]
    return {
        "PGHOST": str(db["HOST"] or "127.0.0.1"),
        "PGPORT": str(db["PORT"] or 5432),
        "PGUSER": str(db["USER"]),
        "PGPASSWORD": str(db["PASSWORD"]),
    }


def postgres_url(name: str) -> str:
    server = postgres_server()
    return f"postgres://{server['PGUSER']}:{server['PGPASSWORD']}@{server['PGHOST']}:{server['PGPORT']}/{name}"


def postgres_contents(name: str) -> dict[str, Any]:
    """Every table's row count and checksum, and the indexes, constraints and sequence positions."""
    with psycopg.connect(postgres_url(name)) as database:
        tables = [
            table
            for (table,) in database.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
        ]
        checksums = {}
        for table in tables:
            checksums[table] = database.execute(
                "SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), ''))"  # noqa: S608
                f' FROM public."{table}" AS t'
            ).fetchone()
        # Names and kinds only: PostgreSQL may print a restored partial index's condition differently.
        indexes = database.execute(
            "SELECT indrelid::regclass::text, indexrelid::regclass::text, indisunique FROM pg_index"
            " JOIN pg_class ON pg_class.oid = indexrelid"
            " WHERE relnamespace = 'public'::regnamespace ORDER BY 2"
        ).fetchall()
        constraints = database.execute(
            "SELECT conrelid::regclass::text, conname, contype FROM pg_constraint"
            " WHERE connamespace = 'public'::regnamespace ORDER BY conname"
        ).fetchall()
        sequences = database.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY sequencename"
        ).fetchall()
    return {"tables": checksums, "indexes": indexes, "constraints": constraints, "sequences": sequences}


@pytest.mark.postgres
@pytest.mark.skipif(
    shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
    reason="needs pg_dump and pg_restore (Debian's postgresql-client)",
)
def test_postgres_dump_restores_every_table_index_and_sequence(tmp_path: Path) -> None:
    suffix = uuid.uuid4().hex[:12]
    original, restored = f"portal_backup_{suffix}", f"portal_restored_{suffix}"
    dump = tmp_path / "portal.dump"
    server = postgres_server()
    try:
        run(["createdb", "--owner", server["PGUSER"], original], **server)
        seed(postgres_url(original))

        # docs/deployment.md, "PostgreSQL": the dump and its verification, then the restore into a new database.
        run(["pg_dump", "--format=custom", f"--file={dump}", postgres_url(original)])
        assert "TABLE DATA public requests_app_inquiry" in run(["pg_restore", "--list", str(dump)])
        run(["createdb", "--owner", server["PGUSER"], restored], **server)
        run(
            [
                "pg_restore",
                f"--dbname={postgres_url(restored)}",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                str(dump),
            ]
        )
        manage("migrate", "--check", database_url=postgres_url(restored))

        before, after = postgres_contents(original), postgres_contents(restored)
        assert sorted(after["tables"]) == sorted(before["tables"])
        for table, (count, checksum) in before["tables"].items():
            assert after["tables"][table] == (count, checksum), f"{table}: {count} rows before the restore"
        assert after["indexes"] == before["indexes"]
        assert after["constraints"] == before["constraints"]
        assert after["sequences"] == before["sequences"]
        # Not two empty databases: the demo's inquiries and their histories.
        assert before["tables"]["requests_app_inquiry"][0] >= 40
        assert before["tables"]["requests_app_inquiryevent"][0] > before["tables"]["requests_app_inquiry"][0]
    finally:
        for name in (original, restored):
            run(["dropdb", "--if-exists", "--force", name], **server)
