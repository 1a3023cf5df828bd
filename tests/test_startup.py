"""Commands start fast: importing the package does not load pandas (sqlite-utils would, for nothing)."""

import subprocess
import sys


def test_import_review_leaves_pandas_unloaded_but_importable():
    code = "import sys, review; print('pandas' in sys.modules); import pandas; print(pandas.__name__)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "pandas"]


def test_sqlite_utils_still_writes_rows_after_the_hidden_import(tmp_path):
    code = (
        "import review, sqlite_utils; db = sqlite_utils.Database(r'%s');"
        "db['t'].insert({'a': 1}); print(db['t'].count)" % (tmp_path / "x.db")
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "1"
