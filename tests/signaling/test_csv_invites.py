"""Reading candidate CSV files and writing invitation e-mails: pure functions, no server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from signaling.csv_invites import parse_csv
from signaling.invite_mail import expiry_text, interview_minutes, invitation_mail
from signaling.records import Job, Question

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
DEFAULT = NOW + timedelta(days=14)


def parse(text: str | bytes):
    return parse_csv(text.encode() if isinstance(text, str) else text, now=NOW, default_expiry=DEFAULT)


def test_excel_style_semicolons_with_bom_and_chinese_headers():
    """A BOM, semicolons, Chinese column names and CRLF: read as a spreadsheet shows them."""
    result = parse("\ufeff姓名;邮箱;语言;有效期\r\n"
                   "李雷;lilei@example.com;中文;7\r\n韩梅梅;han@example.com;;2026-12-31\r\n")
    assert result.delimiter == ";" and result.errors == ()
    first, second = result.rows
    assert (first.row, first.name, first.language, first.expires_at) == (2, "李雷", "zh", NOW + timedelta(days=7))
    assert (second.language, second.expires_at) == (None, datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC))


def test_quoted_commas_and_line_breaks_blank_lines_and_extra_columns():
    """Row numbers follow the records (the header is row 1); blank lines count but are skipped."""
    result = parse('Email,Full Name,Notes\n"bo@example.com","Bo, Jr.","line one\nline two"\n\n'
                   "cy@example.com,Cy\n")
    assert [(r.row, r.name, r.email) for r in result.rows] == [(2, "Bo, Jr.", "bo@example.com"),
                                                               (4, "Cy", "cy@example.com")]
    assert result.ignored_columns == ("Notes",) and result.errors == ()


def test_every_problem_of_every_row_is_reported():
    result = parse("name,email,language,expiry\n"
                   ",,,\n"  # a blank row: skipped, not an error
                   "A\u0007B,a@example.com,,\n"
                   ",b@example,klingon,91\n"
                   "C,c@example.com,en,2026-13-01\n"
                   "C2,C@EXAMPLE.com,en,\n")
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (3, "name", "control_characters"), (4, "name", "required"), (4, "email", "invalid_email"),
        (4, "language", "invalid_language"), (4, "expiry", "expiry_days"), (5, "expiry", "expiry_format"),
        (6, "email", "duplicate_in_file")]
    assert result.rows == ()


def test_invitation_mail_in_both_languages():
    job = Job(1, "Data Analyst", "Data", "en", "2026-01-01T00:00:00.000Z", questions=(
        Question(1, 0, "Q1", 30, 120, None), Question(2, 1, "Q2", 30, 90, None)))
    assert interview_minutes(job) == 5 + 5  # 270 s of questions, rounded up, plus setting up
    expires = datetime(2026, 12, 10, 17, 30, tzinfo=UTC)
    en = invitation_mail(name="Ana", address="ana@example.com", job=job, link="https://x/interview#T",
                         expires_at=expires, language="en")
    assert en.subject == "Your video interview: Data Analyst"
    for fragment in ("Hello Ana", "https://x/interview#T", "10 December 2026, 17:30 UTC", "2 questions",
                     "about 10 minutes", "practice question", "decline"):
        assert fragment in en.text, fragment
    zh = invitation_mail(name="李雷", address="l@example.com", job=job, link="https://x/interview#T",
                         expires_at=expires, language="zh")
    assert zh.subject == "视频面试邀请：Data Analyst"
    for fragment in ("李雷，您好", "https://x/interview#T", "2026年12月10日 17:30（UTC）", "共 2 道题", "约 10 分钟"):
        assert fragment in zh.text, fragment
    assert expiry_text(expires, "zh") == "2026年12月10日 17:30（UTC）"
