"""SQLite named by DATABASE_URL gets the same tuning as the default SQLite file."""

import json
import subprocess
import sys

from django.conf import settings

SHOW_DATABASE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "db = settings.DATABASES['default']; "
    "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']), "
    "'options': db['OPTIONS'], 'conn_max_age': db['CONN_MAX_AGE']}))"
)


def database_settings(**environ):
    result = subprocess.run(
        [sys.executable, "-c", SHOW_DATABASE],
        env={"DJANGO_SETTINGS_MODULE": "newsroom.settings", "PATH": "", **environ},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=True,
    )
    return json.loads(result.stdout)


def test_sqlite_named_by_url_is_tuned_like_the_default(tmp_path):
    default = database_settings(DJANGO_SQLITE_PATH=str(tmp_path / "x.sqlite3"))
    by_url = database_settings(DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3")
    assert by_url == default
    assert by_url["options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in by_url["options"]["init_command"]
