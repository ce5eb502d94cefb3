"""Full-text search of inquiries (SQLite FTS5, PostgreSQL tsvector with the Norwegian and English configurations).

What the indexes hold and how requests_app/search.py queries them is in that module's docstring.

SQLite: three FTS5 tables over the rows of the inquiries (reference, title, description), organisations (name) and
contacts (name, e-mail address), "external content" tables that keep only the index, filled here and kept up to date
by triggers on those tables (the pattern of the FTS5 documentation, section 4.4.3). Each trigger is on the table it
reads and writes only its FTS5 table. A later migration that makes SQLite rebuild one of the three tables (most
AlterField and RemoveField operations do: a new table is created, filled and renamed) loses that table's triggers
with the old table: it must run SQLITE_TRIGGERS of this migration again and rebuild the index; the test
tests/requests_app/test_search.py::SearchIndexTests checks that the triggers are there after the last migration.

PostgreSQL: one table of documents, an inquiry's reference, title, description, organisation name and contact name
and e-mail address as a tsvector (requests_app_search_vector()), with a GIN index; filled here and kept up to date by
triggers on the inquiries (insert, update of those columns, delete, truncate), organisations and contacts (update
of the name or e-mail address rewrites the documents of their inquiries). An index over expressions of the
inquiries' own columns was tried first: it cannot hold the organisation or the contact, and a search read tens of
thousands of pages of the inquiries to find their ids (about 1.5 s at a million inquiries).
"""

from typing import Any

from django.db import migrations

TOKENIZE = "tokenize = 'unicode61 remove_diacritics 0'"

# (FTS5 table, table indexed, its columns indexed)
SQLITE_INDEXES = [
    ("requests_app_search_inquiry", "requests_app_inquiry", ["reference", "title", "description"]),
    ("requests_app_search_organisation", "partners_organisation", ["name"]),
    ("requests_app_search_contact", "partners_contact", ["name", "email"]),
]


def _sqlite_triggers(fts: str, table: str, columns: list[str]) -> list[str]:
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    changed = " OR ".join(f"new.{column} IS NOT old.{column}" for column in ["id", *columns])
    insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"
    delete = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"
    return [
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF id, {names} ON {table} WHEN {changed} "
        f"BEGIN {delete} {insert} END",
    ]


SQLITE_TRIGGERS = [
    statement for fts, table, columns in SQLITE_INDEXES for statement in _sqlite_triggers(fts, table, columns)
]
SQLITE_FORWARD = [
    *(
        f"CREATE VIRTUAL TABLE {fts} USING fts5({', '.join(columns)}, content = '{table}', content_rowid = 'id', "
        f"{TOKENIZE})"
        for fts, table, columns in SQLITE_INDEXES
    ),
    *(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')" for fts, _table, _columns in SQLITE_INDEXES),
    *SQLITE_TRIGGERS,
]
SQLITE_BACKWARD = [
    *(
        f"DROP TRIGGER {fts}_{event}"
        for fts, _table, _columns in SQLITE_INDEXES
        for event in ("insert", "delete", "update")
    ),
    *(f"DROP TABLE {fts}" for fts, _table, _columns in SQLITE_INDEXES),
]

# ASCII punctuation becomes a space before PostgreSQL's parser sees the text, so that it splits the text where
# SQLite's tokenizer does (else "ola@firma.no" is one e-mail token, "2026-0042" the numbers 2026 and -0042).
_POSTGRESQL_VECTOR = r"""
    CREATE FUNCTION requests_app_search_vector(document text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT to_tsvector('simple'::regconfig, plain)
            || to_tsvector('norwegian'::regconfig, plain)
            || to_tsvector('english'::regconfig, plain)
        FROM regexp_replace(document, '[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]+', ' ', 'g') AS plain
    $$
"""
# The word looked up in each configuration, each different query once; of prefixes, only the shortest of those that
# begin alike ('mobilit':* finds all that 'mobilitet':* finds). Fewer, different terms: a shorter scan of the index,
# and an estimate of how many rows match that is not counted two or three times over.
_POSTGRESQL_QUERY = r"""
    CREATE FUNCTION requests_app_search_query(query text) RETURNS tsquery
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
    DECLARE
        configuration regconfig;
        one tsquery;
        queries tsquery[] := '{}';
        prefixes text[] := '{}';
        prefix text;
        combined tsquery;
    BEGIN
        FOREACH configuration IN ARRAY ARRAY['simple', 'norwegian', 'english']::regconfig[] LOOP
            one := to_tsquery(configuration, query);
            IF numnode(one) = 0 OR one = ANY(queries) THEN
                CONTINUE;
            END IF;
            queries := queries || one;
            IF one::text ~ '^''[^'']+'':\*$' THEN
                prefixes := prefixes || substring(one::text FROM 2 FOR length(one::text) - 4);
            END IF;
        END LOOP;
        FOREACH one IN ARRAY queries LOOP
            IF one::text ~ '^''[^'']+'':\*$' THEN
                prefix := substring(one::text FROM 2 FOR length(one::text) - 4);
                CONTINUE WHEN EXISTS (
                    SELECT FROM unnest(prefixes) AS other WHERE other <> prefix AND starts_with(prefix, other)
                );
            END IF;
            combined := coalesce(combined || one, one);
        END LOOP;
        RETURN coalesce(combined, to_tsquery('simple'::regconfig, query));
    END
    $$
"""
# Finer statistics than the default, so that a word in few or no documents is estimated at a few hundred rows at
# most, not thousands: PostgreSQL then looks those rows up instead of reading the whole list in its order to find
# them (seconds at a million inquiries). Keeping the documents out of line to make the table small was tried: the
# planner does not count what reading them back costs, and chose to read the table instead of its index.
_POSTGRESQL_TABLE = [
    """
    CREATE TABLE requests_app_search_document (
        inquiry_id bigint PRIMARY KEY,
        document tsvector NOT NULL
    )
    """,
    "ALTER TABLE requests_app_search_document ALTER COLUMN document SET STATISTICS 1000",
]


def _postgresql_documents(rows: str, where: str = "") -> str:
    """INSERT … SELECT of the documents of `rows` (a table or transition table of inquiries) that match `where`."""
    return f"""
        INSERT INTO requests_app_search_document (inquiry_id, document)
        SELECT inquiry.id, requests_app_search_vector(
            concat_ws(' ', inquiry.reference, inquiry.title, inquiry.description, organisation.name, contact.name,
                      contact.email)
        )
        FROM {rows} AS inquiry
        LEFT JOIN partners_organisation AS organisation ON organisation.id = inquiry.organisation_id
        LEFT JOIN partners_contact AS contact ON contact.id = inquiry.contact_id
        {where}
        ON CONFLICT (inquiry_id) DO UPDATE SET document = excluded.document
    """


_POSTGRESQL_FUNCTIONS = [
    f"""
    CREATE FUNCTION requests_app_search_index(ids bigint[]) RETURNS void LANGUAGE sql AS $$
        {_postgresql_documents("requests_app_inquiry", "WHERE inquiry.id = ANY(ids)")}
    $$
    """,
    f"""
    CREATE FUNCTION requests_app_search_inquiries_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {_postgresql_documents("inserted")};
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION requests_app_search_inquiry_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM requests_app_search_index(ARRAY[NEW.id]);
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION requests_app_search_inquiries_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM requests_app_search_document WHERE inquiry_id IN (SELECT id FROM deleted);
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION requests_app_search_inquiries_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE requests_app_search_document;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION requests_app_search_organisation_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM requests_app_search_index(ARRAY(SELECT id FROM requests_app_inquiry WHERE organisation_id = NEW.id));
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION requests_app_search_contact_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM requests_app_search_index(ARRAY(SELECT id FROM requests_app_inquiry WHERE contact_id = NEW.id));
        RETURN NULL;
    END
    $$
    """,
]
_POSTGRESQL_TRIGGERS = [
    """
    CREATE TRIGGER requests_app_search_insert AFTER INSERT ON requests_app_inquiry
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION requests_app_search_inquiries_inserted()
    """,
    """
    CREATE TRIGGER requests_app_search_update
    AFTER UPDATE OF reference, title, description, organisation_id, contact_id ON requests_app_inquiry
    FOR EACH ROW WHEN (
        (OLD.reference, OLD.title, OLD.description, OLD.organisation_id, OLD.contact_id)
        IS DISTINCT FROM (NEW.reference, NEW.title, NEW.description, NEW.organisation_id, NEW.contact_id)
    ) EXECUTE FUNCTION requests_app_search_inquiry_changed()
    """,
    """
    CREATE TRIGGER requests_app_search_delete AFTER DELETE ON requests_app_inquiry
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION requests_app_search_inquiries_deleted()
    """,
    """
    CREATE TRIGGER requests_app_search_truncate AFTER TRUNCATE ON requests_app_inquiry
    FOR EACH STATEMENT EXECUTE FUNCTION requests_app_search_inquiries_truncated()
    """,
    """
    CREATE TRIGGER requests_app_search_update AFTER UPDATE OF name ON partners_organisation
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION requests_app_search_organisation_changed()
    """,
    """
    CREATE TRIGGER requests_app_search_update AFTER UPDATE OF name, email ON partners_contact
    FOR EACH ROW WHEN ((OLD.name, OLD.email) IS DISTINCT FROM (NEW.name, NEW.email))
    EXECUTE FUNCTION requests_app_search_contact_changed()
    """,
]
POSTGRESQL_FORWARD = [
    _POSTGRESQL_VECTOR,
    _POSTGRESQL_QUERY,
    *_POSTGRESQL_TABLE,
    *_POSTGRESQL_FUNCTIONS,
    _postgresql_documents("requests_app_inquiry"),
    # Without the pending list (fastupdate) every search reads the index only, and no insert pays for emptying it.
    """
    CREATE INDEX requests_app_search_document_words ON requests_app_search_document
    USING gin (document) WITH (fastupdate = off)
    """,
    "ANALYZE requests_app_search_document",
    *_POSTGRESQL_TRIGGERS,
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER requests_app_search_update ON partners_contact",
    "DROP TRIGGER requests_app_search_update ON partners_organisation",
    *(
        f"DROP TRIGGER requests_app_search_{event} ON requests_app_inquiry"
        for event in ("truncate", "delete", "update", "insert")
    ),
    "DROP TABLE requests_app_search_document",
    *(
        f"DROP FUNCTION requests_app_search_{name}()"
        for name in (
            "contact_changed",
            "organisation_changed",
            "inquiries_truncated",
            "inquiries_deleted",
            "inquiry_changed",
            "inquiries_inserted",
        )
    ),
    "DROP FUNCTION requests_app_search_index(bigint[])",
    "DROP FUNCTION requests_app_search_query(text)",
    "DROP FUNCTION requests_app_search_vector(text)",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise NotImplementedError(f"No full-text search for {vendor}.")
        for statement in statements[vendor]:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0012_summaries"), ("partners", "0005_publication_consent")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
            elidable=False,
        ),
    ]
