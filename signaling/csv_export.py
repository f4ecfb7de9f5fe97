"""CSV files for spreadsheets: UTF-8 with a BOM, RFC 4180 quoting, no formula injection.

Excel opens a UTF-8 CSV as such only when it starts with a byte-order mark. A text cell that a
spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return — a
candidate can type their name as `=HYPERLINK(…)`) gets a leading apostrophe, the OWASP advice;
numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from urllib.parse import quote

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | None


def safe_cell(value: Cell) -> str | int | float:
    """A cell as written: None is empty, numbers stay numbers, risky text gets an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """The whole file: BOM, header, rows; CRLF line ends; fields quoted when they need it."""
    out = io.StringIO(newline="")
    out.write(BOM)
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return out.getvalue().encode("utf-8")


def slug(text: str, *, ascii_only: bool, limit: int = 60) -> str:
    """A file-name piece: letters and digits joined by hyphens (Chinese kept unless `ascii_only`)."""
    text = unicodedata.normalize("NFKC", text)
    if ascii_only:
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"\w+", text.casefold())
    return "-".join(words)[:limit].strip("-_")


def content_disposition(filename: str, ascii_fallback: str) -> str:
    """`attachment` with a plain ASCII name for old clients and the UTF-8 name (RFC 6266 / 5987)."""
    safe = re.sub(r'[^A-Za-z0-9._-]', "_", ascii_fallback)
    return f"attachment; filename=\"{safe}\"; filename*=UTF-8''{quote(filename, safe='')}"
