"""Load test: N concurrent users doing the office's mix against a running server (loopback only).

    # a server on the large demo (PostgreSQL), e.g.
    DATABASE_URL=postgresql://postgres@127.0.0.1/kakehashi_large CRM_INDEX_MODE=worker \\
        .venv/bin/crm serve --port 8000 --workers 4 --threads 4 &
    DATABASE_URL=... CRM_INDEX_MODE=worker .venv/bin/crm index worker &
    DATABASE_URL=... .venv/bin/python bench/load.py --url http://127.0.0.1:8000 \\
        --users 8,16,32 --seconds 60 --json bench/out/load.json
    # the same levels as people who pause 1-5 s between clicks
    DATABASE_URL=... .venv/bin/python bench/load.py --url http://127.0.0.1:8000 \
        --users 8,16,32 --seconds 60 --think 1-5 --json bench/out/load-think.json

Each virtual user logs in as one of the demo users (manager, liaison, bd, staff, liaison2; the
password from instance/demo-credentials.txt or --password), then picks one action after
another by weight: company and contact lists (paging, and searching them by name), company
pages, search, match, dashboards, home, *My portfolio*, company edits, activity logging, fair
entries, and the bare `/healthz` route (the framework's own cost, in the same run).

What "N users" means depends on --think:
- `--think 0` (the default): a closed loop without think time. Each user sends its next
  request the moment the last one answers, so N users keep N requests in the server at all
  times: a saturation test (what the server can do, and how long N requests queue), not N
  people. Response time ≈ N / throughput once the cores are busy.
- `--think 1-5`: each user pauses a random 1–5 s between actions (as locust users do; users
  start spread over the first pause), closer to N people clicking through the CRM.
  N users then offer about N / (3 s + response time) requests per second. Forms are posted as a browser
posts them: the page with the form is fetched first and its fields (token included) are sent
back with only what a user types changed. When the fair form asks whether the person or
company is one already known (a near match, often an earlier load-test entry), the user answers
"a new one" and posts again; the count of such questions is printed.

Every write carries a random word of its own. After each level the script waits until the
index outbox is empty (`/readyz`), then checks in the database (DATABASE_URL) that every
acknowledged write is there, and through the search page that its word finds it.

Prints per level: requests/s, p50/p95/p99 per action and overall, errors, lost writes and the
load average. Each level runs at most --seconds (≤ 60); requests time out after 30 s.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import string
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ACCOUNTS = ["manager@example.org", "liaison@example.org", "bd@example.org",
            "staff@example.org", "liaison2@example.org"]
REPORTERS = {"manager@example.org", "staff@example.org"}
DASHBOARDS = ["overview", "portfolios", "events", "alumni", "seeds"]
#: What people type in the list pages' search boxes (names, readings, e-mail fragments).
COMPANY_WORDS = ["工業", "電機", "化学", "製薬", "tech", "ホールディングス", "トヨ", "精密"]
CONTACT_WORDS = ["田中", "佐藤", "鈴木", "たなか", "ヤマモト", "suzuki", "伊藤 健", "kobayashi"]
SEARCH_WORDS = ["電池", "水素", "半導体", "sensor", "catalyst", "材料", "ロボット", "AI",
                "polymer", "医療", "工業", "energy", "光学", "バイオ", "battery"]
MATCH_TEXTS = [
    "全固体電池の電解質材料と界面抵抗の低減について共同研究先を探しています",
    "We need low-power image sensors and edge AI for factory inspection",
    "水素製造の触媒コスト削減と耐久性評価",
    "biodegradable polymers for medical devices and drug delivery",
]
#: action -> weight (per 100 actions)
MIX = {
    "company_list": 9, "company_search": 3, "contact_list": 3, "contact_search": 2,
    "company_page": 20, "search": 12, "match": 5,
    "dashboard": 5, "home": 5, "portfolio": 3, "edit_company": 8, "log_activity": 8,
    "fair_entry": 6, "healthz": 11,
}
WRITES = ("edit_company", "log_activity", "fair_entry")
TIMEOUT = 30


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


class Forms(HTMLParser):
    """Every <form> of a page: action, method, and the fields a browser would send."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: tuple[str, bool] | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(),
                          "fields": [], "names": set()}
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or "disabled" in a:
            if tag == "select":
                self._select = None
            return
        name = a.get("name")
        if tag == "input" and name:
            form["names"].add(name)
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            form["fields"].append([name, a.get("value", "on" if kind == "checkbox" else "")])
        elif tag == "textarea" and name:
            form["names"].add(name)
            self._textarea = name
            form["fields"].append([name, ""])
        elif tag == "select" and name:
            form["names"].add(name)
            self._select = (name, "multiple" in a)
            form["fields"].append([name, None])  # filled by the selected (or first) option
        elif tag == "option" and self._select:
            sname, multiple = self._select
            value = a.get("value", "")
            slot = next(f for f in reversed(form["fields"]) if f[0] == sname)
            if "selected" in a:
                if multiple and slot[1] is not None:
                    form["fields"].append([sname, value])
                else:
                    slot[1] = value
            elif slot[1] is None and not multiple:
                slot.append(value)  # the first option, used when none is selected

    def handle_data(self, data: str) -> None:
        if self._textarea and self._form is not None:
            slot = next(f for f in reversed(self._form["fields"]) if f[0] == self._textarea)
            slot[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select and self._form is not None:
            sname, multiple = self._select
            for f in self._form["fields"]:
                if f[0] == sname:
                    if f[1] is None and not multiple:
                        f[1] = f[2] if len(f) > 2 else ""
                    del f[2:]
            self._form["fields"] = [f for f in self._form["fields"]
                                    if not (f[0] == sname and multiple and f[1] is None)]
            self._select = None


def form_for(page: str, action: str, page_path: str) -> dict:
    """The form of `page` (fetched from `page_path`) that posts to `action`."""
    parser = Forms()
    parser.feed(page)
    for form in parser.forms:
        target = form["action"] or page_path  # no action: the page's own address
        if urllib.parse.urlsplit(target).path == urllib.parse.urlsplit(action).path:
            return form
    raise LookupError(f"no form posting to {action}")


_MESSAGE = re.compile(r'class="[^"]*(?:invalid-feedback|alert-danger|alert-warning)[^"]*"[^>]*>'
                      r'\s*([^<]+)')


def form_messages(page: str) -> str:
    """What a page sent back with an error says (its form's messages), for the error list."""
    return "; ".join(dict.fromkeys(m.strip() for m in _MESSAGE.findall(page)))[:300]


def word() -> str:
    return "".join(random.choices(string.ascii_lowercase, k=12))


@dataclass
class Result:
    action: str
    seconds: float
    ok: bool
    status: int
    note: str = ""


@dataclass
class Write:
    action: str
    token: str
    record: int | None = None


@dataclass
class Level:
    users: int
    results: list[Result] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    confirmations: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class User:
    def __init__(self, base: str, email: str, password: str, ids: dict[str, list[int]]):
        self.base = base.rstrip("/")
        self.email = email
        self.password = password
        self.ids = ids
        self.confirmations = 0  # fair entries that asked "is this one already known?"
        self.last_page = ""  # the last answer's body: a failed form's messages name the cause
        self.jar = http.cookiejar.CookieJar()
        self.http = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                NoRedirect())

    def request(self, path: str, data: list | None = None) -> tuple[int, str, dict]:
        body = (urllib.parse.urlencode([(f[0], f[1]) for f in data]).encode()
                if data is not None else None)
        req = urllib.request.Request(self.base + path, data=body,
                                     headers={"Accept-Language": "ja"})
        try:
            with self.http.open(req, timeout=TIMEOUT) as answer:
                self.last_page = answer.read().decode("utf-8", "replace")
                return answer.status, self.last_page, dict(answer.headers)
        except urllib.error.HTTPError as err:
            self.last_page = err.read().decode("utf-8", "replace")
            return err.code, self.last_page, dict(err.headers)

    def submit(self, page_path: str, action: str, changes: dict[str, str]) -> tuple[int, dict]:
        """GET the page, post its form to `action` with `changes` (fields it has only)."""
        status, page, _ = self.request(page_path)
        if status != 200:
            return status, {}
        form = form_for(page, action, page_path)
        unknown = set(changes) - form["names"]
        if unknown:
            raise LookupError(f"the form has no field {sorted(unknown)}")
        fields = [[k, v] for k, v in form["fields"] if k not in changes]
        fields += [[k, v] for k, v in changes.items()]
        status, _, headers = self.request(action, fields)
        return status, headers

    def login(self) -> None:
        status, headers = self.submit("/login", "/login",
                                      {"email": self.email, "password": self.password})
        if status != 302:
            raise RuntimeError(f"login as {self.email} answered {status}")

    # -- actions: each returns (status, ok, write or None) ----------------------------------
    def act(self, action: str) -> tuple[int, bool, Write | None]:
        ids = self.ids
        if action == "healthz":
            return self._get("/healthz")
        if action == "home":
            return self._get("/")
        if action == "portfolio":
            return self._get("/liaison/mine")
        if action == "company_list":
            return self._get(f"/companies/?page={random.randint(1, 200)}")
        if action == "contact_list":
            return self._get(f"/contacts/?page={random.randint(1, 200)}")
        if action == "company_search":
            return self._get("/companies/?q=" + urllib.parse.quote(random.choice(COMPANY_WORDS)))
        if action == "contact_search":
            return self._get("/contacts/?q=" + urllib.parse.quote(random.choice(CONTACT_WORDS)))
        if action == "company_page":
            return self._get(f"/companies/{random.choice(ids['company'])}")
        if action == "search":
            return self._get("/search/?q=" + urllib.parse.quote(random.choice(SEARCH_WORDS)))
        if action == "match":
            return self._get("/search/match?kind=seed&text="
                             + urllib.parse.quote(random.choice(MATCH_TEXTS)))
        if action == "dashboard":
            if self.email not in REPORTERS:
                return self._get(f"/companies/{random.choice(ids['company'])}")
            return self._get(f"/reports/{random.choice(DASHBOARDS)}")
        token = word()
        if action == "edit_company":
            company = random.choice(ids["company"])
            status, page, _ = self.request(f"/companies/{company}/edit")
            if status != 200:
                return status, False, None
            form = form_for(page, f"/companies/{company}/edit", f"/companies/{company}/edit")
            interests = next((v for k, v in form["fields"] if k == "interests"), "")
            fields = [[k, v] for k, v in form["fields"] if k != "interests"]
            fields.append(["interests", (interests.strip() + "\n" + token).strip()])
            status, _, _ = self.request(f"/companies/{company}/edit", fields)
            return status, status == 302, Write(action, token, company) if status == 302 else None
        if action == "log_activity":
            company = random.choice(ids["company"])
            status, headers = self.submit(f"/activities/new?company={company}",
                                          "/activities/new",
                                          {"subject": f"負荷試験 {token}",
                                           "minutes": f"Load test minutes {token}"})
            return status, status == 302, Write(action, token, company) if status == 302 else None
        if action == "fair_entry":
            event = random.choice(ids["event"])
            page_path = f"/events/fair?event={event}"
            status, page, _ = self.request(page_path)
            if status != 200:
                return status, False, None
            form = form_for(page, "/events/fair", page_path)
            typed = {"family_name": "負荷", "given_name": token[:6],
                     "company": f"{token.capitalize()} Holdings", "interests": token,
                     "email": f"{token}@load.example"}
            fields = [[k, v] for k, v in form["fields"] if k not in typed] + \
                [[k, v] for k, v in typed.items()]
            status, page, _ = self.request("/events/fair", fields)
            if status == 200:
                # The form asks whether the person or company is one already known (a near
                # match, e.g. another load-test entry): answer "a new one", as the user would.
                again = form_for(page, "/events/fair", "/events/fair")
                answers = {n: "new" for n in ("company_choice", "contact_choice")
                           if n in again["names"]}
                if answers:
                    self.confirmations += 1
                    fields = [[k, v] for k, v in again["fields"] if k not in answers] + \
                        [[k, v] for k, v in answers.items()]
                    status, _, _ = self.request("/events/fair", fields)
            return status, status == 302, Write(action, token, event) if status == 302 else None
        raise ValueError(action)

    def _get(self, path: str) -> tuple[int, bool, None]:
        status, _, _ = self.request(path)
        return status, status == 200, None


def ids_from_database() -> dict[str, list[int]]:
    from sqlalchemy import create_engine, text

    from crm.config import database_url

    engine = create_engine(database_url())
    with engine.connect() as conn:
        company = [r[0] for r in conn.execute(text(
            "SELECT id FROM companies ORDER BY random() LIMIT 5000"))]
        event = [r[0] for r in conn.execute(text(
            "SELECT id FROM events ORDER BY starts_on DESC LIMIT 20"))]
    engine.dispose()
    return {"company": company, "event": event}


def run_level(base: str, users: int, seconds: float, password: str,
              ids: dict[str, list[int]], think: tuple[float, float] = (0.0, 0.0)) -> Level:
    level = Level(users)
    actions, weights = zip(*MIX.items())
    vus = [User(base, ACCOUNTS[i % len(ACCOUNTS)], password, ids) for i in range(users)]
    for vu in vus:
        vu.login()
    start = threading.Barrier(users + 1)
    deadline = [0.0]

    def pause(limit: float) -> None:
        if think[1] > 0:
            time.sleep(min(random.uniform(*think), max(0.0, limit - time.monotonic())))

    def loop(vu: User) -> None:
        start.wait()
        if think[1] > 0:  # users arrive spread over one pause, not all at once
            time.sleep(random.uniform(0, think[1]))
        while time.monotonic() < deadline[0]:
            action = random.choices(actions, weights)[0]
            began = time.perf_counter()
            try:
                status, ok, write = vu.act(action)
                note = "" if ok else form_messages(vu.last_page)
            except Exception as err:  # noqa: BLE001 - a failure is a result
                status, ok, write, note = 0, False, None, f"{type(err).__name__}: {err}"
            result = Result(action, time.perf_counter() - began, ok, status, note)
            with level.lock:
                level.results.append(result)
                if write:
                    level.writes.append(write)
            pause(deadline[0])

    threads = [threading.Thread(target=loop, args=(vu,), daemon=True) for vu in vus]
    for t in threads:
        t.start()
    deadline[0] = time.monotonic() + seconds
    level.started = time.monotonic()
    start.wait()
    for t in threads:
        t.join(seconds + TIMEOUT + 5)
    level.elapsed = time.monotonic() - level.started
    level.confirmations = sum(vu.confirmations for vu in vus)
    return level


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def wait_for_index(vu: User, limit: float = 120) -> float:
    """Seconds until /readyz reports no pending index update."""
    began = time.monotonic()
    while time.monotonic() - began < limit:
        _, body, _ = vu.request("/readyz")
        try:
            if json.loads(body)["checks"]["index_lag"]["pending"] == 0:
                return time.monotonic() - began
        except (ValueError, KeyError):
            pass
        time.sleep(0.5)
    return float("nan")


def verify(writes: list[Write]) -> dict:
    """Every acknowledged write is in the database (DATABASE_URL) and in the search index
    (CRM_INDEX_DIR, the server's), found by its word."""
    from sqlalchemy import text

    from crm import create_app, search
    from crm.extensions import db

    queries = {  # (index kind, the ids of what this write created or changed)
        "edit_company": ("company", "SELECT id FROM companies WHERE id = :rec "
                                    "AND interests LIKE :w"),
        "log_activity": ("activity", "SELECT id FROM activities WHERE company_id = :rec "
                                     "AND subject LIKE :w"),
        "fair_entry": ("encounter", "SELECT id FROM encounters WHERE event_id = :rec "
                                    "AND research_interests LIKE :w"),
    }
    missing_db, missing_search = [], []
    app = create_app()
    with app.app_context():
        ix = search.get_index()
        for w in writes:
            kind, sql = queries[w.action]
            found = {r[0] for r in db.session.execute(text(sql),
                                                      {"rec": w.record, "w": f"%{w.token}%"})}
            if not found:
                missing_db.append(w)
                continue
            hits = {h.id for h in ix.search(w.token, kinds=[kind], limit=50)}
            if not found <= hits:
                missing_search.append(w)
        db.session.remove()
        db.engine.dispose()
    return {"acknowledged": len(writes), "missing_in_database": len(missing_db),
            "not_found_by_search": len(missing_search),
            "examples": [f"{w.action}:{w.token}" for w in (missing_db + missing_search)[:5]]}


def summarize(level: Level) -> dict:
    by_action: dict[str, list[Result]] = defaultdict(list)
    for r in level.results:
        by_action[r.action].append(r)
    rows = {}
    for action, results in sorted(by_action.items()):
        secs = [r.seconds for r in results]
        rows[action] = {"n": len(results), "errors": sum(not r.ok for r in results),
                        "p50": pct(secs, 50), "p95": pct(secs, 95), "p99": pct(secs, 99),
                        "statuses": dict(sorted(
                            {s: sum(r.status == s for r in results)
                             for s in {r.status for r in results}}.items()))}
    secs = [r.seconds for r in level.results]
    pages = [r.seconds for r in level.results if r.action not in ("match", "healthz")]
    return {
        "users": level.users,
        "seconds": round(level.elapsed, 1),
        "requests": len(level.results),
        "req_per_s": round(len(level.results) / level.elapsed, 1),
        "errors": sum(not r.ok for r in level.results),
        "p50": pct(secs, 50), "p95": pct(secs, 95), "p99": pct(secs, 99),
        "pages_p95": pct(pages, 95),
        "match_p95": rows.get("match", {}).get("p95", float("nan")),
        "actions": rows,
        "error_examples": [f"{r.action} {r.status} {r.note}" for r in level.results
                           if not r.ok][:8],
        "loadavg_after": os.getloadavg(),
        "fair_confirmations": level.confirmations,
    }


def print_level(s: dict) -> None:
    print(f"\n== {s['users']} users ({s['mode']}): {s['requests']} requests in {s['seconds']} s = "
          f"{s['req_per_s']} req/s; errors {s['errors']}; p50 {s['p50']*1000:.0f} ms, "
          f"p95 {s['p95']*1000:.0f} ms, p99 {s['p99']*1000:.0f} ms; pages p95 "
          f"{s['pages_p95']*1000:.0f} ms, match p95 {s['match_p95']*1000:.0f} ms; "
          f"load average before {s['loadavg_before'][0]:.1f}, after {s['loadavg_after'][0]:.1f}")
    print(f"   {'action':<14}{'n':>6}{'err':>5}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  statuses")
    for action, row in s["actions"].items():
        print(f"   {action:<14}{row['n']:>6}{row['errors']:>5}{row['p50']*1000:>9.0f}"
              f"{row['p95']*1000:>9.0f}{row['p99']*1000:>9.0f}  {row['statuses']}")
    if s["fair_confirmations"]:
        print(f"   fair entries that asked to confirm a near match (answered \"new\"): "
              f"{s['fair_confirmations']}")
    for example in s["error_examples"]:
        print(f"   error: {example}")
    v = s.get("writes")
    if v:
        print(f"   writes: {v['acknowledged']} acknowledged, {v['missing_in_database']} missing "
              f"in the database, {v['not_found_by_search']} not found by search "
              f"(index caught up {v['index_caught_up_s']:.1f} s after the level) {v['examples']}")


def parse_think(value: str) -> tuple[float, float]:
    """"0" -> (0, 0); "1-5" -> (1.0, 5.0); "2" -> (2.0, 2.0)."""
    low, _, high = value.partition("-")
    think = (float(low), float(high or low))
    if think[0] < 0 or think[1] < think[0]:
        raise SystemExit(f"bench/load.py: --think {value!r}: use 0, a number, or MIN-MAX")
    return think


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--users", default="8,16,32", help="levels, comma-separated")
    parser.add_argument("--seconds", type=float, default=60, help="per level (at most 60)")
    parser.add_argument("--password", help="the demo password (default: from "
                                           "instance/demo-credentials.txt)")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--think", default="0",
                        help="seconds each user pauses between actions: 0 (a closed loop, "
                             "the default) or MIN-MAX, e.g. 1-5 (a random pause)")
    args = parser.parse_args()
    think = parse_think(args.think)
    mode = (f"think time {think[0]:g}–{think[1]:g} s" if think[1] > 0
            else "closed loop, no think time")
    host = urllib.parse.urlsplit(args.url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("bench/load.py: only a server on this machine (127.0.0.1) may be loaded")
    seconds = min(args.seconds, 60)
    password = args.password
    if not password:
        from crm.config import INSTANCE_DIR

        hint = (INSTANCE_DIR / "demo-credentials.txt").read_text()
        password = re.search(r"password[^:]*: (\S+)", hint).group(1)
    random.seed(args.seed)
    ids = ids_from_database()
    if not ids["company"] or not ids["event"]:
        sys.exit("bench/load.py: the database (DATABASE_URL) has no companies or events")
    checker = User(args.url, ACCOUNTS[0], password, ids)
    checker.login()
    out = []
    for users in [int(u) for u in args.users.split(",")]:
        before = os.getloadavg()
        print(f"-- {users} users, {mode}, for {seconds:.0f} s (load average before: "
              f"{before[0]:.1f})", flush=True)
        level = run_level(args.url, users, seconds, password, ids, think)
        summary = summarize(level)
        summary.update(mode=mode, think=think, loadavg_before=before)
        caught_up = wait_for_index(checker)
        summary["writes"] = verify(level.writes)
        summary["writes"]["index_caught_up_s"] = caught_up
        print_level(summary)
        out.append(summary)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    main()
