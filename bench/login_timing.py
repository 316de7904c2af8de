"""Does the login page's answer time tell which e-mails have accounts? And what does the
throttle cost?

    .venv/bin/python bench/login_timing.py [-n 7]

A throwaway SQLite database with one user; the Flask test client posts the login form (CSRF
off for the bench only). Prints the median and spread of N refused logins for an existing
e-mail (wrong password) and for an unknown one, and of N answers once the account is locked
(429: no password is checked then). Before the fix (issue 13 item 6) the figures were 482 ms for
an existing e-mail and 27 ms for an unknown one.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crm import create_app  # noqa: E402
from crm.extensions import db  # noqa: E402


def _times(client, email: str, n: int, address: str) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        r = client.post("/login", data={"email": email, "password": "not the password"},
                        environ_base={"REMOTE_ADDR": address})
        out.append((time.perf_counter() - start) * 1000)
        assert r.status_code in (422, 429), r.status_code
    return out


def _show(label: str, ms: list[float]) -> None:
    print(f"{label:<38} median {statistics.median(ms):7.1f} ms   "
          f"min {min(ms):7.1f}   max {max(ms):7.1f}   (n={len(ms)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.db'}",
            "SECRET_KEY": "bench", "CRM_INDEX_DIR": str(Path(tmp) / "index"),
            "WTF_CSRF_ENABLED": False,
            # high limits: the timing runs must not be throttled
            "CRM_LOGIN_MAX_FAILURES": 10_000, "CRM_LOGIN_MAX_FAILURES_PER_ADDRESS": 10_000,
        })
        with app.app_context():
            from flask_migrate import upgrade

            upgrade(directory=app.extensions["migrate"].directory)
            from crm.auth.services import create_user

            with app.test_request_context():
                create_user(email="known@example.org", name="Known", roles=["staff"],
                            password="harbour kettle nineteen")
            db.session.commit()
        client = app.test_client()
        client.get("/login")  # warm-up: templates, the dummy hash
        known, unknown = [], []
        for _ in range(args.n):  # interleaved, so machine load hits both alike
            known += _times(client, "known@example.org", 1, "192.0.2.1")
            unknown += _times(client, "nobody@example.org", 1, "192.0.2.1")
        _show("existing e-mail, wrong password", known)
        _show("unknown e-mail", unknown)
        print(f"ratio of medians (unknown / existing): "
              f"{statistics.median(unknown) / statistics.median(known):.2f}")
        app.config["CRM_LOGIN_MAX_FAILURES"] = 1
        _show("locked account (429, no hash)", _times(client, "known@example.org", args.n,
                                                      "192.0.2.2"))


if __name__ == "__main__":
    main()
