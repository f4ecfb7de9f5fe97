"""The candidate page's words exist in English and Simplified Chinese: every key the page uses
(data-i18n attributes, literal t("…") calls in its modules) is in both catalogs, with the same
{placeholders}."""

from __future__ import annotations

import json
import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web"
CATALOGS = {lang: json.loads((WEB / "i18n" / f"candidate.{lang}.json").read_text("utf-8")) for lang in ("en", "zh")}


def used_keys() -> set[str]:
    html = (WEB / "candidate.html").read_text("utf-8")
    keys = set(re.findall(r'data-i18n="([^"]+)"', html))
    for module in WEB.glob("candidate*.js"):
        keys |= set(re.findall(r'\bt\("([\w.]+)"', module.read_text("utf-8")))
    return keys


def test_every_key_the_page_uses_is_translated():
    for lang, catalog in CATALOGS.items():
        assert used_keys() - catalog.keys() == set(), lang


def test_both_languages_have_the_same_keys_and_placeholders():
    en, zh = CATALOGS["en"], CATALOGS["zh"]
    assert en.keys() == zh.keys()
    for key, text in en.items():
        assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", zh[key])), key
