"""Reading a CSV file of candidates to invite: a pure function from bytes to rows and errors.

The file is UTF-8 (with or without the byte order mark Excel writes), separated by commas or
semicolons (the separator of the header line decides), with a header row naming the columns:
`name` and `email` are required, `language` (en or zh: the language of the invitation e-mail)
and `expiry` (days from now, or a date such as 2026-12-31) are optional, other columns are
ignored. Rows are numbered as a spreadsheet shows them: the header is row 1. Every row is
checked and every problem reported (row, column, message); the caller imports nothing unless
there is none.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .validation import ValidationError, check_email, check_name, expiry_from_text

MAX_CSV_BYTES = 256 * 1024
MAX_CSV_ROWS = 500
COLUMNS = ("name", "email", "language", "expiry")
REQUIRED = ("name", "email")

_ALIASES = {
    "name": {"name", "candidate name", "candidate", "full name", "姓名", "名字", "候选人", "候选人姓名"},
    "email": {"email", "e mail", "email address", "e mail address", "candidate email", "mail", "邮箱", "电子邮件",
              "电子邮箱", "邮件", "邮箱地址"},
    "language": {"language", "lang", "语言"},
    "expiry": {"expiry", "expires", "expires at", "expiry date", "expires in days", "valid until", "有效期",
               "截止日期", "过期时间", "到期"},
}
_LANGUAGES = {"en": "en", "english": "en", "英文": "en", "英语": "en", "zh": "zh", "zh cn": "zh", "zh hans": "zh",
              "chinese": "zh", "中文": "zh", "简体中文": "zh", "汉语": "zh"}


@dataclass(frozen=True)
class RowError:
    row: int | None  # as a spreadsheet numbers it (header = 1); None: the file as a whole
    column: str | None
    code: str  # for the page's translation: required, invalid_email, duplicate_in_file, …
    message: str  # the same in English
    params: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message,
                "params": self.params or {}}


@dataclass(frozen=True)
class CsvRow:
    row: int
    name: str
    email: str
    language: str | None
    expires_at: datetime


@dataclass(frozen=True)
class CsvResult:
    rows: tuple[CsvRow, ...]
    errors: tuple[RowError, ...]
    ignored_columns: tuple[str, ...] = ()
    delimiter: str = ","
    cells: tuple[tuple[int, dict[str, str]], ...] = ()  # every data row as written (for a preview)


def _normal(header: str) -> str:
    return " ".join(header.replace("_", " ").replace("-", " ").split()).casefold()


def _column_of(header: str) -> str | None:
    key = _normal(header)
    return next((column for column, names in _ALIASES.items() if key in names), None)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _FileError("utf16", "the file is UTF-16 text; save it as CSV UTF-8")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _FileError("not_utf8", f"the file is not UTF-8 text (byte {error.start + 1}); save it as CSV UTF-8",
                         byte=error.start + 1) from None


class _FileError(Exception):
    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.error = RowError(None, None, code, message, params or None)


def _records(text: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        return [record for record in reader]
    except csv.Error as error:
        raise _FileError("bad_quoting", f"the file cannot be read near line {reader.line_num}: {error}",
                         line=reader.line_num) from None


def _pick_delimiter(text: str) -> str:
    """The separator whose split of the header line names the required columns (else the commoner)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    for delimiter in (",", ";"):
        columns = {_column_of(cell) for cell in next(csv.reader([first], delimiter=delimiter), [])}
        if all(c in columns for c in REQUIRED):
            return delimiter
    return ";" if first.count(";") > first.count(",") else ","


def _language(value: str) -> str:
    language = _LANGUAGES.get(_normal(value))
    if language is None:
        raise ValidationError("language", "must be en (English) or zh (Chinese)", "invalid_language")
    return language


def parse_csv(data: bytes, *, now: datetime, default_expiry: datetime) -> CsvResult:
    """Every row of the file, checked; `errors` lists every problem found."""
    try:
        if len(data) > MAX_CSV_BYTES:
            raise _FileError("too_large", f"the file is larger than {MAX_CSV_BYTES // 1024} KiB",
                             max_kib=MAX_CSV_BYTES // 1024)
        text = _decode(data)
        delimiter = _pick_delimiter(text)
        records = _records(text, delimiter)
    except _FileError as error:
        return CsvResult((), (error.error,))
    header_at = next((i for i, r in enumerate(records) if any(cell.strip() for cell in r)), None)
    if header_at is None:
        return CsvResult((), (RowError(None, None, "no_rows", "the file is empty"),), delimiter=delimiter)
    index: dict[str, int] = {}
    ignored = []
    for position, cell in enumerate(records[header_at]):
        column = _column_of(cell)
        if column is None or column in index:
            if cell.strip():
                ignored.append(cell.strip())
        else:
            index[column] = position
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        return CsvResult((), (RowError(None, None, "missing_columns",
                                       f"the header row must name the columns {', '.join(missing)}",
                                       {"columns": ", ".join(missing)}),), tuple(ignored), delimiter)
    body = [(number, record) for number, record in enumerate(records[header_at + 1:], start=header_at + 2)
            if any(cell.strip() for cell in record)]
    if not body:
        return CsvResult((), (RowError(None, None, "no_rows", "the file lists no candidates"),), tuple(ignored),
                         delimiter)
    if len(body) > MAX_CSV_ROWS:
        return CsvResult((), (RowError(None, None, "too_many_rows",
                                       f"the file lists {len(body)} candidates; at most {MAX_CSV_ROWS} per file",
                                       {"rows": len(body), "max": MAX_CSV_ROWS}),), tuple(ignored), delimiter)
    rows, errors, written = [], [], []
    first_row_of: dict[str, int] = {}
    for number, record in body:
        cells = {column: record[i].strip() if i < len(record) else "" for column, i in index.items()}
        written.append((number, cells))
        row_errors = []
        values: dict[str, Any] = {"language": None, "expires_at": default_expiry}
        checks = (
            ("name", lambda v: check_name(_required(v, "name"), "name")),
            ("email", lambda v: check_email(_required(v, "email"), "email")),
            ("language", lambda v: _language(v) if v else None),
            ("expiry", lambda v: expiry_from_text(v, now, "expiry") if v else default_expiry),
        )
        for column, check in checks:
            try:
                values["expires_at" if column == "expiry" else column] = check(cells.get(column, ""))
            except ValidationError as error:
                row_errors.append(RowError(number, column, error.code, error.message, error.params or None))
        email = values.get("email")
        if email is not None:
            key = email.casefold()
            if key in first_row_of:
                row_errors.append(RowError(number, "email", "duplicate_in_file",
                                           f"is already in row {first_row_of[key]} of this file",
                                           {"row": first_row_of[key]}))
            else:
                first_row_of[key] = number
        if row_errors:
            errors.extend(row_errors)
        else:
            rows.append(CsvRow(number, values["name"], values["email"], values["language"], values["expires_at"]))
    return CsvResult(tuple(rows), tuple(errors), tuple(ignored), delimiter, tuple(written))


def _required(value: str, column: str) -> str:
    if not value:
        raise ValidationError(column, "is required", "required")
    return value
