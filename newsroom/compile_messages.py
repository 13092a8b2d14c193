"""Compile every `locale/*/LC_MESSAGES/*.po` to its `.mo` with polib: no GNU gettext needed.

`make messages` runs it after `makemessages`; run it alone after translating:
`.venv/bin/python -m newsroom.compile_messages`. Fuzzy and untranslated entries are left out of
the `.mo` (as `msgfmt` does), so Django shows the English for them; tests/test_i18n_catalogue.py
fails until every message is translated.
"""

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def compile_all(locale=LOCALE):
    """Write each catalogue's .mo beside its .po; return the paths written."""
    written = []
    for po_path in sorted(locale.glob("*/LC_MESSAGES/*.po")):
        catalogue = polib.pofile(str(po_path))
        compiled = polib.MOFile(encoding="utf-8")
        compiled.metadata = catalogue.metadata
        compiled.extend(entry for entry in catalogue.translated_entries())
        compiled.save(str(po_path.with_suffix(".mo")))
        written.append(po_path.with_suffix(".mo"))
    return written


if __name__ == "__main__":
    for path in compile_all():
        print(f"compiled {path.relative_to(LOCALE.parent)}")
