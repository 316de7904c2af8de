"""Log in and take full-page screenshots of pages in headless Chromium (for looking, and the README).

    python bench/screenshot.py --base http://127.0.0.1:5000 --email admin@example.org \
        --password PW --out /tmp/shots /companies/ /companies/1 [--width 390]
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--base", default="http://127.0.0.1:5000")
    parser.add_argument("--email", default="admin@example.org")
    parser.add_argument("--password", required=True)
    parser.add_argument("--out", default="/tmp/shots")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--lang", default="ja")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": 900},
                                locale=args.lang, extra_http_headers={"Accept-Language": args.lang})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(args.base + "/login")
        page.fill("input[name=email]", args.email)
        page.fill("input[name=password]", args.password)
        page.click("main button[type=submit]")
        for path in args.paths:
            page.goto(args.base + path)
            name = re.sub(r"[^\w]+", "_", path).strip("_") or "home"
            target = out / f"{name}_{args.width}.png"
            page.screenshot(path=str(target), full_page=True)
            print(target, page.title(), "JS errors:" if errors else "", *errors)
        browser.close()


if __name__ == "__main__":
    main()
