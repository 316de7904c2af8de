"""The password policy: long enough, not a common password, not the user's own e-mail name.

It follows NIST SP 800-63B: a minimum length, a blocklist of passwords from leaked sets, no
context words (the e-mail), no composition rules (no "one digit, one symbol").
"""
from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

from flask_babel import gettext as _

MIN_LENGTH = 12
#: A password of fewer different characters than this is a pattern, not a secret
#: ("aaaaaaaaaaaa", "abababababab", "121212121212").
MIN_DISTINCT = 5

_LIST = Path(__file__).with_name("common-passwords.txt.gz")
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list (lower case); source and licence in common-passwords.md."""
    with gzip.open(_LIST, "rt", encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip())


def is_common(password: str) -> bool:
    """On the list as typed (any case), or once digits and symbols at its ends are taken off
    ("Password2024!", "123monkey123"), or a common one repeated ("qwertyqwerty")."""
    words = common_passwords()
    p = password.strip().lower()
    core = _EDGES.sub("", p)
    if p in words or (len(core) >= 4 and core in words):
        return True
    for size in range(1, len(p) // 2 + 1):
        if len(p) % size == 0 and p == p[:size] * (len(p) // size) and p[:size] in words:
            return True
    return False


def is_sequence(password: str) -> bool:
    """Mostly steps of one up or down ("123456789012", "abcdefghijkl", "987654321098")."""
    steps = [(ord(b) - ord(a)) % 10 if a.isdigit() and b.isdigit() else ord(b) - ord(a)
             for a, b in zip(password.lower(), password.lower()[1:])]
    ones = sum(step in (1, -1, 9) for step in steps)
    return bool(steps) and ones >= 0.8 * len(steps)


def problem(password: str, email: str | None = None) -> str | None:
    """Why this password is refused (a sentence for the form), or None when it is fine."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(n)s characters.", n=MIN_LENGTH)
    if len(set(password)) < MIN_DISTINCT or is_sequence(password):
        return _("This password is a simple pattern (few different characters, or a sequence "
                 "like 123456 or abcdef); use a few unrelated words instead.")
    if is_common(password):
        return _("This password is on a list of common passwords; choose another.")
    email = (email or "").strip().lower()
    local = email.split("@", 1)[0]
    lowered = password.lower()
    if email and (lowered == email or email in lowered or (len(local) >= 3 and local in lowered)):
        return _("The password must not contain the account's e-mail address or its name part.")
    return None
