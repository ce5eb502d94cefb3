"""The translation catalogues under locale/ are complete, not fuzzy, compiled, and used.

The GNU gettext tools (msgattrib, msgfmt) are required: CI installs them (.ci/run), as does any
machine that runs `make messages`.
"""

import ast
import gettext
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

SOURCE_LANGUAGE = "en"  # the msgids are British English


def _catalogues() -> list[Path]:
    return sorted(po for base in settings.LOCALE_PATHS for po in Path(base).glob("*/LC_MESSAGES/*.po"))


def _gettext_tool(*args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(args, capture_output=True, text=True, check=True)  # noqa: S603
    except FileNotFoundError:
        pytest.fail(f"{args[0]} not found: install GNU gettext (apt-get install gettext) to run the translation tests")
    except subprocess.CalledProcessError as error:
        pytest.fail(f"{' '.join(args)} failed:\n{error.stderr}")


def _unquote(line: str) -> str:
    return ast.literal_eval(line.strip())


def _msgids(po_text: str) -> list[str]:
    """The msgids (with their context, if any) of every entry but the header, from msgattrib's output."""
    found: list[str] = []
    key: str | None = None
    parts: list[str] = []
    context = ""
    for line in [*po_text.splitlines(), ""]:
        if key is not None and line.startswith('"'):
            parts.append(_unquote(line))
            continue
        if key == "msgctxt":
            context = "".join(parts)
        elif key == "msgid":
            msgid = "".join(parts)
            if msgid:
                found.append(f"{context}\x04{msgid}" if context else msgid)
            context = ""
        key, parts = None, []
        match = re.match(r"(msgctxt|msgid) (\".*\")$", line)
        if match:
            key, parts = match.group(1), [_unquote(match.group(2))]
    return found


def _header_flags(po: Path) -> set[str]:
    """The flags (#, ...) of the header entry: the one whose msgid is empty."""
    for entry in po.read_text(encoding="utf-8").split("\n\n"):
        lines = entry.strip().splitlines()
        if 'msgid ""' in lines and not any(line.startswith("msgid_plural") for line in lines):
            start = lines.index('msgid ""')
            if start + 1 < len(lines) and lines[start + 1].startswith("msgstr"):
                return {flag.strip() for line in lines[:start] if line.startswith("#,") for flag in line[2:].split(",")}
    pytest.fail(f"{po} has no header entry")


def _compiled(po: Path, tmp_path: Path) -> gettext.GNUTranslations:
    mo = tmp_path / f"{po.parent.parent.name}-{po.stem}.mo"
    _gettext_tool("msgfmt", "--check", "--output-file", str(mo), str(po))
    with mo.open("rb") as handle:
        return gettext.GNUTranslations(handle)


def _messages(catalogue: gettext.GNUTranslations) -> dict[object, str]:
    """Every message of a compiled catalogue except the header (which changes with every makemessages run)."""
    return {key: value for key, value in catalogue._catalog.items() if key != ""}  # type: ignore[attr-defined]


def test_there_is_a_bokmal_catalogue() -> None:
    assert any(po.parent.parent.name == "nb" for po in _catalogues()), "locale/nb/LC_MESSAGES/django.po is missing"


@pytest.mark.parametrize("po", _catalogues(), ids=lambda po: f"{po.parent.parent.name}/{po.name}")
def test_catalogue_has_no_untranslated_entries(po: Path) -> None:
    untranslated = _msgids(_gettext_tool("msgattrib", "--untranslated", "--no-obsolete", "--no-wrap", str(po)).stdout)
    assert not untranslated, f"{po} has {len(untranslated)} untranslated entries: {untranslated}"


@pytest.mark.parametrize("po", _catalogues(), ids=lambda po: f"{po.parent.parent.name}/{po.name}")
def test_catalogue_has_no_fuzzy_entries(po: Path) -> None:
    fuzzy = _msgids(_gettext_tool("msgattrib", "--only-fuzzy", "--no-obsolete", "--no-wrap", str(po)).stdout)
    assert not fuzzy, f"{po} has {len(fuzzy)} fuzzy entries; check them and remove the flag: {fuzzy}"
    assert "fuzzy" not in _header_flags(po), f"{po}: the header is marked fuzzy, so msgfmt ignores it"


@pytest.mark.parametrize("po", _catalogues(), ids=lambda po: f"{po.parent.parent.name}/{po.name}")
def test_catalogue_header(po: Path, tmp_path: Path) -> None:
    info = _compiled(po, tmp_path).info()
    language = po.parent.parent.name
    assert info.get("language") == language, f"{po}: the header should say Language: {language}"
    assert info.get("content-type") == "text/plain; charset=UTF-8", f"{po}: the catalogue should be UTF-8"
    assert "nplurals=2" in info.get("plural-forms", ""), f"{po}: the header needs Plural-Forms"


@pytest.mark.parametrize("po", _catalogues(), ids=lambda po: f"{po.parent.parent.name}/{po.name}")
def test_committed_mo_matches_po(po: Path, tmp_path: Path) -> None:
    mo = po.with_suffix(".mo")
    hint = "run `make messages` (or manage.py compilemessages) and commit the .mo"
    assert mo.is_file(), f"{mo} is missing: {hint}"
    with mo.open("rb") as handle:
        committed = gettext.GNUTranslations(handle)
    expected = _compiled(po, tmp_path)
    assert _messages(committed) == _messages(expected), f"{mo} is out of date with {po.name}: {hint}"
    assert committed.info().get("plural-forms") == expected.info().get("plural-forms"), f"{mo}: {hint}"


def test_bokmal_is_used() -> None:
    with translation.override("nb"):
        assert translation.gettext("Send an inquiry") != "Send an inquiry"
        assert translation.gettext("UN Centre Trondheim") == "FN-senteret Trondheim"
        one = translation.ngettext("%(counter)s inquiry", "%(counter)s inquiries", 1) % {"counter": 1}
        many = translation.ngettext("%(counter)s inquiry", "%(counter)s inquiries", 3) % {"counter": 3}
    assert one == "1 henvendelse"
    assert many == "3 henvendelser"
    with translation.override(SOURCE_LANGUAGE):
        assert translation.gettext("Send an inquiry") == "Send an inquiry"
