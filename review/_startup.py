"""What the package does once on first import, before any other module loads.

sqlite-utils imports pandas whenever it is installed, only to map
`pandas.Timestamp` to a TEXT column; this package never writes pandas
objects, and importing pandas costs about a second, on every command. So
sqlite-utils is imported with pandas hidden; pandas stays importable for
everything after (the app's tables).
"""

from __future__ import annotations

import sys


def _import_sqlite_utils_without_pandas() -> None:
    if "sqlite_utils" in sys.modules or "pandas" in sys.modules:
        return
    sys.modules["pandas"] = None  # type: ignore[assignment]  # makes `import pandas` raise ImportError
    try:
        import sqlite_utils  # noqa: F401
    finally:
        del sys.modules["pandas"]


_import_sqlite_utils_without_pandas()
