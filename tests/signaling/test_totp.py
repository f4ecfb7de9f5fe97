"""TOTP second factor: RFC 6238 codes, verification, the enrolment URI and QR code, sealing."""

import base64
import re
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import segno

from signaling.totp import (
    TotpSecretError,
    code_at,
    new_secret,
    open_secret,
    provisioning_uri,
    qr_svg,
    seal_secret,
    step_at,
    verify,
)

# RFC 6238 Appendix B: the SHA1 seed is the ASCII string "12345678901234567890".
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_SHA1_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]
KEY = bytes(range(32))
NOW = 56_666_667 * 30 + 12.0  # 12 s into a step, in November 2023


@pytest.mark.parametrize(("unix_time", "expected"), RFC_SHA1_VECTORS)
def test_rfc6238_sha1_vectors(unix_time, expected):
    """code_at reproduces the RFC 6238 Appendix B SHA1 values (8 digits)."""
    assert code_at(RFC_SECRET, step_at(unix_time), digits=8) == expected


def test_six_digit_code_is_the_rfc_value_truncated():
    """The default 6-digit code is the RFC value modulo 10^6, zero-padded."""
    assert code_at(RFC_SECRET, step_at(59)) == "287082"
    assert code_at(RFC_SECRET, step_at(1111111109)) == "081804"


def test_step_boundaries():
    """A step covers [30k, 30k + 30) seconds."""
    assert (step_at(0), step_at(29.999), step_at(30), step_at(59), step_at(60)) == (0, 0, 1, 1, 2)


def test_new_secret_is_160_bit_base32_without_padding():
    """new_secret gives 32 base32 characters (20 bytes), and two calls differ."""
    secret = new_secret()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert len(base64.b32decode(secret)) == 20
    assert new_secret() != secret


def test_current_code_verifies_and_returns_its_step():
    """The code of the current step verifies and the step is returned."""
    secret = new_secret()
    step = step_at(NOW)
    assert verify(secret, code_at(secret, step), now=NOW, last_used_step=None) == step


@pytest.mark.parametrize("offset", [-1, 1])
def test_one_step_of_drift_is_accepted(offset):
    """A code from the step before or after the current one is accepted."""
    secret = new_secret()
    step = step_at(NOW) + offset
    assert verify(secret, code_at(secret, step), now=NOW, last_used_step=None) == step


@pytest.mark.parametrize("offset", [-2, 2])
def test_two_steps_of_drift_are_refused(offset):
    """A code two steps away from now is refused."""
    secret = RFC_SECRET
    step = step_at(NOW) + offset
    code = code_at(secret, step)
    assert code not in {code_at(secret, step_at(NOW) + d) for d in (-1, 0, 1)}
    assert verify(secret, code, now=NOW, last_used_step=None) is None


def test_zero_drift_accepts_only_the_current_step():
    """drift_steps=0 refuses the neighbouring steps' codes."""
    secret = RFC_SECRET
    step = step_at(NOW)
    assert verify(secret, code_at(secret, step), now=NOW, last_used_step=None, drift_steps=0) == step
    assert verify(secret, code_at(secret, step + 1), now=NOW, last_used_step=None, drift_steps=0) is None


def test_a_code_works_once():
    """Once its step is stored as last_used_step, the same code is refused."""
    secret = new_secret()
    code = code_at(secret, step_at(NOW))
    used = verify(secret, code, now=NOW, last_used_step=None)
    assert used is not None
    assert verify(secret, code, now=NOW + 5, last_used_step=used) is None


def test_older_code_is_refused_after_a_newer_one():
    """After the next step's code was used, the current step's code is refused too."""
    secret = new_secret()
    step = step_at(NOW)
    used = verify(secret, code_at(secret, step + 1), now=NOW, last_used_step=None)
    assert used == step + 1
    assert verify(secret, code_at(secret, step), now=NOW, last_used_step=used) is None


def test_next_step_code_still_works_after_current_one():
    """Using the current step's code does not block the next step's code."""
    secret = new_secret()
    step = step_at(NOW)
    assert verify(secret, code_at(secret, step + 1), now=NOW + 30, last_used_step=step) == step + 1


def test_spaces_are_ignored():
    """Spaces and tabs inside or around the code are stripped."""
    secret = new_secret()
    code = code_at(secret, step_at(NOW))
    assert verify(secret, f" {code[:3]} \t{code[3:]} ", now=NOW, last_used_step=None) == step_at(NOW)


@pytest.mark.parametrize(
    "bad",
    ["", "12345", "1234567", "12345a", "12-345", "١٢٣٤٥٦", "１２３４５６", "+12345", "123456\x00"],
)
def test_malformed_codes_are_refused(bad):
    """Anything but exactly six ASCII digits gives None, without raising."""
    assert verify(RFC_SECRET, bad, now=NOW, last_used_step=None) is None


def test_non_string_code_is_refused():
    """A code that is not a string (e.g. a JSON number) gives None."""
    assert verify(RFC_SECRET, 287082, now=59, last_used_step=None) is None


def test_lower_case_secret_with_spaces_is_accepted():
    """Secrets are normalised: lower case, spaces and padding do not matter."""
    spaced = " ".join(RFC_SECRET.lower()[i : i + 4] for i in range(0, 32, 4))
    assert code_at(spaced, 1) == code_at(RFC_SECRET + "=", 1) == code_at(RFC_SECRET, 1)


@pytest.mark.parametrize("bad", ["not base32!", "ABCDEFGH", 12345])
def test_invalid_secret_raises(bad):
    """A secret that is not base32 of at least 128 bits raises TotpSecretError."""
    with pytest.raises(TotpSecretError):
        code_at(bad, 1)


def test_provisioning_uri_format():
    """The URI is otpauth://totp/Issuer:account with secret, issuer, SHA1, 6 digits and 30 s."""
    secret = new_secret()
    uri = provisioning_uri(secret, "alice@example.com")
    assert uri.startswith("otpauth://totp/Intervox:alice@example.com?")
    parts = urlsplit(uri)
    assert parse_qs(parts.query) == {
        "secret": [secret],
        "issuer": ["Intervox"],
        "algorithm": ["SHA1"],
        "digits": ["6"],
        "period": ["30"],
    }


def test_provisioning_uri_percent_encodes():
    """Spaces and reserved characters are percent-encoded (%20, not +) in label and query."""
    uri = provisioning_uri(RFC_SECRET, "bob smith+hr@example.com", issuer="ACME & Co")
    parts = urlsplit(uri)
    assert parts.path == "/ACME%20%26%20Co:bob%20smith%2Bhr@example.com"
    assert "issuer=ACME%20%26%20Co" in parts.query
    assert " " not in uri and "+" not in uri
    issuer, account = (unquote(p) for p in parts.path[1:].split(":"))
    assert (issuer, account) == ("ACME & Co", "bob smith+hr@example.com")
    assert parse_qs(parts.query)["issuer"] == ["ACME & Co"]


@pytest.mark.parametrize(("account", "issuer"), [("a:b@example.com", "Intervox"), ("a@example.com", "X:Y"), ("", "I")])
def test_provisioning_uri_refuses_colons_and_empty_names(account, issuer):
    """A colon would split the label wrongly, so it is refused, as are empty names."""
    with pytest.raises(ValueError):
        provisioning_uri(RFC_SECRET, account, issuer=issuer)


def _svg_matrix(svg: str) -> tuple[int, list[list[bool]]]:
    """Rebuilds the module matrix from the SVG's dark path (segno's h/m path commands)."""
    root = ET.fromstring(svg)
    size = int(root.attrib["viewBox"].split()[2])
    grid = [[False] * size for _ in range(size)]
    dark = next(p for p in root if p.attrib.get("stroke") == "#000")
    x = y = 0.0
    for cmd, num, num2 in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", dark.attrib["d"]):
        if cmd == "M":
            x, y = float(num), float(num2)
        elif cmd == "m":
            x, y = x + float(num), y + float(num2)
        else:
            for col in range(int(x), int(x + float(num))):
                grid[int(y)][col] = True
            x += float(num)
    return size, grid


def test_qr_svg_is_inline_safe_svg():
    """qr_svg gives a bare <svg> of <path>s only: no script, style, links, handlers or XML declaration."""
    svg = qr_svg(provisioning_uri(new_secret(), "alice@example.com"))
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    assert "<script" not in svg.lower() and "<?xml" not in svg and "<!" not in svg
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    elements = list(root.iter())
    assert {e.tag for e in elements[1:]} == {"{http://www.w3.org/2000/svg}path"}
    for element in elements:
        for name in element.attrib:
            assert not name.lower().startswith("on") and "href" not in name and name != "style"


def test_qr_svg_draws_the_qr_code_of_the_uri():
    """The SVG's dark modules are exactly those of the QR code of the URI, with a 4-module quiet zone."""
    uri = provisioning_uri(RFC_SECRET, "alice@example.com")
    size, grid = _svg_matrix(qr_svg(uri))
    expected = segno.make_qr(uri, error="m")
    matrix = [[bool(v) for v in row] for row in expected.matrix]
    assert size == len(matrix) + 8
    assert [row[4:-4] for row in grid[4:-4]] == matrix
    assert not any(grid[0]) and not any(grid[-1])


def test_seal_open_round_trip():
    """A sealed secret opens with the same key and user id."""
    secret = new_secret()
    blob = seal_secret(secret, key=KEY, user_id=7)
    assert open_secret(blob, key=KEY, user_id=7) == secret
    assert secret.encode() not in blob


def test_sealing_uses_a_fresh_nonce():
    """Sealing the same secret twice gives different blobs."""
    secret = new_secret()
    assert seal_secret(secret, key=KEY, user_id=7) != seal_secret(secret, key=KEY, user_id=7)


def test_open_with_wrong_key_fails():
    """Another key cannot open the secret."""
    blob = seal_secret(new_secret(), key=KEY, user_id=7)
    with pytest.raises(TotpSecretError):
        open_secret(blob, key=bytes(32), user_id=7)


def test_open_for_another_user_fails():
    """A sealed secret copied to another user's row does not open."""
    blob = seal_secret(new_secret(), key=KEY, user_id=7)
    with pytest.raises(TotpSecretError):
        open_secret(blob, key=KEY, user_id=8)


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[:-1],
        lambda b: b[:10],
        lambda b: b"\x02" + b[1:],
        lambda b: b[:20] + bytes([b[20] ^ 1]) + b[21:],
        lambda b: b"",
    ],
)
def test_damaged_blob_fails(damage):
    """A truncated, flipped or unknown-version blob raises TotpSecretError."""
    blob = seal_secret(new_secret(), key=KEY, user_id=7)
    with pytest.raises(TotpSecretError):
        open_secret(damage(blob), key=KEY, user_id=7)


@pytest.mark.parametrize("key", [b"", bytes(16), bytes(31), "x" * 32])
def test_key_must_be_32_bytes(key):
    """Sealing and opening refuse a key that is not 32 bytes."""
    with pytest.raises(ValueError):
        seal_secret(new_secret(), key=key, user_id=1)
    with pytest.raises(ValueError):
        open_secret(b"\x01" + bytes(40), key=key, user_id=1)


def test_sealing_refuses_an_invalid_secret():
    """Sealing checks the secret is base32 first."""
    with pytest.raises(TotpSecretError):
        seal_secret("not base32!", key=KEY, user_id=1)
