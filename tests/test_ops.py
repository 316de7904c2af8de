"""Operations: `crm serve` (which server, which address), /healthz and /readyz, request logs,
the index worker's catch-up, and `crm backup` / `crm restore` on the suite's engine."""
from __future__ import annotations

import io
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from crm import create_app, search
from crm.companies.models import Company
from crm.companies.services import save_company
from crm.extensions import db, utcnow
from crm.ops import backup as backup_mod
from crm.ops import logs, server
from crm.outbox import IndexOutbox
from tests.factories import PASSWORD, make_user


@pytest.fixture
def index(own_index):
    """This test's own empty index (the app's is shared by the whole run)."""
    return own_index


@pytest.fixture
def worker_mode(app):
    app.config["CRM_INDEX_MODE"] = "worker"
    yield
    app.config.pop("CRM_INDEX_MODE")


def pending() -> int:
    return db.session.scalar(select(func.count(IndexOutbox.id)))


# --- crm serve --------------------------------------------------------------------------------

def test_serve_plan_is_gunicorn_unless_dev():
    p = server.plan("127.0.0.1", 5001, workers=3, threads=2)
    assert p.server == "gunicorn" and not p.debugger
    assert p.options["bind"] == ["127.0.0.1:5001"]
    assert (p.options["workers"], p.options["threads"], p.options["worker_class"]) == (3, 2,
                                                                                   "gthread")
    assert server.plan("::1", 80, threads=1).options["bind"] == ["[::1]:80"]
    assert server.plan("::1", 80, threads=1).options["worker_class"] == "sync"
    dev = server.plan("127.0.0.1", 5000, dev=True)
    assert dev.server == "werkzeug" and not dev.debugger
    assert server.plan("127.0.0.1", 5000, dev=True, debug=True).debugger
    with pytest.raises(ValueError, match="--debug needs --dev"):
        server.plan("127.0.0.1", 5000, debug=True)


@pytest.fixture
def fake_servers(monkeypatch):
    """Record which server `crm serve` would start, and print what it would print."""
    started: dict = {}

    def gunicorn(p, factory, on_ready=None, on_start=None):
        started.update(plan=p, factory=factory)
        on_ready([p.url()])

    def werkzeug(p, app, on_ready=None):
        started.update(plan=p, app=app)
        on_ready([p.url()])

    monkeypatch.setattr(server, "run_gunicorn", gunicorn)
    monkeypatch.setattr(server, "run_werkzeug", werkzeug)
    return started


def test_serve_command_chooses_the_server_and_prints_its_url(runner, fake_servers):
    result = runner.invoke(args=["serve", "--port", "5001"])
    assert result.exit_code == 0, result.output
    assert fake_servers["plan"].server == "gunicorn"
    assert "Kakehashi is running at http://127.0.0.1:5001/" in result.output
    assert "gunicorn, 2 worker(s) x 4 thread(s)" in result.output

    result = runner.invoke(args=["serve", "--dev"])
    assert result.exit_code == 0, result.output
    assert fake_servers["plan"].server == "werkzeug" and not fake_servers["plan"].debugger
    assert "debugger" not in result.output

    result = runner.invoke(args=["serve", "--dev", "--debug"])
    assert fake_servers["plan"].debugger and "debugger ON" in result.output


def test_serve_reads_workers_and_threads_from_the_environment(runner, fake_servers):
    result = runner.invoke(args=["serve"], env={"CRM_WORKERS": "5", "CRM_THREADS": "1",
                                                "CRM_PORT": "5099"})
    assert result.exit_code == 0, result.output
    p = fake_servers["plan"]
    assert (p.workers, p.threads, p.options["worker_class"]) == (5, 1, "sync")
    assert p.options["bind"] == ["127.0.0.1:5099"]


def test_serve_refuses_the_debugger_outside_dev_and_bad_ports(runner, fake_servers):
    result = runner.invoke(args=["serve", "--debug"])
    assert result.exit_code == 2 and "--debug needs --dev" in result.output
    assert not fake_servers
    result = runner.invoke(args=["serve", "--port", "70000"])
    assert result.exit_code == 2 and "70000" in result.output


def test_serve_really_runs_gunicorn_and_ctrl_c_stops_it(app, tmp_path):
    """Bounded (60 s): start `crm serve --port 0`, read the address it prints, ask it,
    then Ctrl+C (SIGINT) stops it."""
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               CRM_INDEX_DIR=str(tmp_path / "index"), SECRET_KEY="serve-test",
               CRM_INSTANCE_DIR=str(tmp_path / "instance"), CRM_WORKERS="1", CRM_THREADS="2")
    env.pop("CRM_LOG_FORMAT", None)
    crm = Path(sys.executable).with_name("crm")
    proc = subprocess.Popen([str(crm), "serve", "--port", "0"], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    reader = None
    try:
        url = None
        deadline = time.monotonic() + 60
        lines = []
        import queue

        printed: queue.Queue = queue.Queue()
        reader = threading.Thread(
            target=lambda: [printed.put(x) for x in proc.stdout] + [printed.put("")], daemon=True)
        reader.start()
        while time.monotonic() < deadline and url is None:
            try:
                line = printed.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break  # nothing printed before the deadline
            if not line:
                break
            lines.append(line)
            if line.startswith("Kakehashi is running at "):
                url = line.split()[4]
        assert url and url.startswith("http://127.0.0.1:") and not url.endswith(":0/"), lines
        import urllib.request

        for _ in range(100):  # the worker may still be booting
            try:
                with urllib.request.urlopen(url + "healthz", timeout=5) as answer:
                    assert answer.status == 200
                    assert json.loads(answer.read()) == {"status": "ok"}
                    assert answer.headers["Server"].startswith("gunicorn")
                    assert answer.headers["X-Request-ID"]
                break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail(f"no answer from {url}")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if reader is not None:
            reader.join(10)  # it ends at the end of the output, before the pipe is closed
        proc.stdout.close()


# --- health -----------------------------------------------------------------------------------

def test_healthz_touches_no_database(client, count_queries):
    with count_queries() as n:
        answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json == {"status": "ok"}
    assert n() == 0


def test_healthz_is_public(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_reports_database_schema_index_and_lag(client, app, index):
    answer = client.get("/readyz")
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert body["status"] == "ready"
    checks = body["checks"]
    assert checks["database"]["ok"] and checks["index"]["ok"]
    assert checks["schema"]["ok"] and checks["schema"]["revision"] == checks["schema"]["head"]
    assert checks["index_lag"] == {"seconds": 0.0, "pending": 0, "ok": True}
    assert answer.headers["Cache-Control"] == "no-store"
    page = answer.get_data(as_text=True)
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    for secret in filter(None, [app.config["SECRET_KEY"], url.database, url.host,
                                url.password, url.username]):
        assert secret not in page


def test_readyz_measures_index_lag_and_can_refuse_past_a_limit(client, app, index, worker_mode):
    save_company(None, {"name": "Lagging KK"})
    db.session.commit()
    db.session.execute(IndexOutbox.__table__.update().values(
        created_at=utcnow() - timedelta(seconds=120)))
    db.session.commit()
    body = client.get("/readyz").json
    assert body["checks"]["index_lag"]["pending"] == 1
    assert 119 <= body["checks"]["index_lag"]["seconds"] < 200
    assert body["status"] == "ready"  # a lag alone does not take the server out by default
    app.config["CRM_READY_MAX_INDEX_LAG"] = 60
    try:
        answer = client.get("/readyz")
        assert answer.status_code == 503
        assert answer.json["checks"]["index_lag"]["ok"] is False
    finally:
        app.config.pop("CRM_READY_MAX_INDEX_LAG")


def test_readyz_is_503_when_the_schema_is_behind(client, monkeypatch):
    from crm.ops import health

    monkeypatch.setattr(health, "migration_heads", lambda directory: ("9999",))
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json["status"] == "not ready"
    assert answer.json["checks"]["schema"]["ok"] is False
    assert answer.json["checks"]["schema"]["head"] == ["9999"]


def test_readyz_is_503_when_the_database_is_unreachable(client, app, monkeypatch):
    secret = "password-in-a-connection-error"

    class Broken:
        def connect(self):
            raise OperationalError("connect", {}, Exception(f"could not connect: {secret}"))

    monkeypatch.setattr(type(db), "engine", property(lambda self: Broken()))
    answer = client.get("/readyz")
    monkeypatch.undo()
    assert answer.status_code == 503
    assert answer.json["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert secret not in answer.get_data(as_text=True)


# --- logs -------------------------------------------------------------------------------------

@pytest.fixture
def log_lines():
    """Captures what the application logs, in the format asked for."""
    stream = io.StringIO()

    def start(fmt: str) -> io.StringIO:
        logs.configure(fmt, logging.INFO, stream=stream)
        return stream

    yield start
    logs.configure("plain", logging.INFO)


def test_json_logs_carry_request_id_user_route_status_duration(login, users, make_company,
                                                              log_lines):
    company = make_company(name="Logged KK")
    stream = log_lines("json")
    client = login("staff")
    answer = client.get(f"/companies/{company.id}")
    assert answer.status_code == 200
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    line = [x for x in lines if x["logger"] == "crm.request"][-1]
    assert line["request_id"] == answer.headers["X-Request-ID"]
    assert line["user_id"] == users["staff"].id
    assert line["route"] == "/companies/<int:company_id>"
    assert line["path"] == f"/companies/{company.id}"
    assert line["method"] == "GET" and line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")


def test_a_proxy_request_id_is_kept_and_a_bad_one_replaced(client, log_lines):
    stream = log_lines("json")
    assert client.get("/healthz", headers={"X-Request-ID": "edge-42:a.b_c"}
                      ).headers["X-Request-ID"] == "edge-42:a.b_c"
    bad = client.get("/healthz", headers={"X-Request-ID": "<script>" + "x" * 100})
    assert bad.headers["X-Request-ID"] != "<script>" + "x" * 100
    assert len(bad.headers["X-Request-ID"]) == 32
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [x["request_id"] for x in lines] == ["edge-42:a.b_c", bad.headers["X-Request-ID"]]
    assert lines[0]["user_id"] is None and lines[0]["route"] == "/healthz"


def test_plain_logs_and_errors_carry_the_request_id(client, log_lines, monkeypatch):
    stream = log_lines("plain")
    answer = client.get("/healthz")
    line = stream.getvalue().splitlines()[-1]
    assert "INFO crm.request: GET /healthz 200" in line
    assert answer.headers["X-Request-ID"] in line
    # another logger, during a request: the request id is appended
    from crm.main import views

    def noisy():
        logging.getLogger("crm.test").warning("something odd")
        return {"status": "ok"}

    monkeypatch.setitem(client.application.view_functions, "main.healthz", noisy)
    answer = client.get("/healthz")
    assert (f"WARNING crm.test: something odd [request {answer.headers['X-Request-ID']}]"
            in stream.getvalue())
    assert views  # the module whose route was replaced


def test_log_settings_from_the_environment():
    assert logs.log_settings({}) == ("plain", logging.INFO)
    assert logs.log_settings({"CRM_LOG_FORMAT": "JSON", "CRM_LOG_LEVEL": "debug"}) == (
        "json", logging.DEBUG)
    with pytest.raises(ValueError, match="CRM_LOG_LEVEL='LOUD' is not a level"):
        logs.log_settings({"CRM_LOG_LEVEL": "loud"})


def test_log_level_hides_info_lines(client, log_lines):
    stream = log_lines("json")
    logs.configure("json", logging.WARNING, stream=stream)
    client.get("/healthz")
    assert stream.getvalue() == ""


# --- index worker -----------------------------------------------------------------------------

def test_index_worker_catches_up_on_start_before_any_new_write(app, index, worker_mode):
    """Updates saved while no worker ran are applied as soon as it starts, not after the next
    save or the first interval."""
    from crm.ops import worker

    company = save_company(None, {"name": "Backlog KK", "interests": "摩擦攪拌接合"})
    db.session.commit()
    assert pending() == 1 and index.search("摩擦攪拌接合") == []
    stop = threading.Event()
    said: list[str] = []

    def run() -> None:
        with app.app_context():
            worker.run(interval=300, echo=said.append, stop=stop)

    thread = threading.Thread(target=run)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not said:
            time.sleep(0.05)
        assert said == ["Caught up on start: Indexed 1 update(s) that were pending."]
        assert [h.id for h in index.search("摩擦攪拌接合")] == [company.id]
        db.session.rollback()
        assert pending() == 0
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


def test_serve_applies_pending_updates_before_workers_start(app, index):
    """Inline mode: updates a busy index left in the outbox (or a crash) are applied when the
    server starts."""
    from crm.cli import _catch_up

    app.config["CRM_INDEX_MODE"] = "worker"  # as if the drain after the save had not run
    try:
        company_id = save_company(None, {"name": "Left Behind KK", "interests": "蓄熱材料"}).id
        db.session.commit()
    finally:
        app.config.pop("CRM_INDEX_MODE")
    assert pending() == 1 and index.search("蓄熱材料") == []
    db.session.remove()  # as in gunicorn's master: no session open while it disposes the engine
    _catch_up(app)
    assert [h.id for h in index.search("蓄熱材料")] == [company_id]
    assert pending() == 0


# --- backup and restore -----------------------------------------------------------------------

@pytest.fixture
def scratch_app(app, tmp_path):
    """A second application on an empty database of the suite's engine (PostgreSQL: a scratch
    database named kakehashi_test_restore_<pid>, dropped afterwards)."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    admin = None
    if url.get_backend_name() == "postgresql":
        name = f"kakehashi_test_restore_{os.getpid()}"
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        target = url.set(database=name).render_as_string(hide_password=False)
    else:
        target = f"sqlite:///{tmp_path / 'restored.db'}"
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": target,
                        "SECRET_KEY": "restore-test", "SERVER_NAME": "localhost",
                        "CRM_INDEX_DIR": str(tmp_path / "restored-index")})
    other.test_client_class = app.test_client_class
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_backup_taken_under_writes_restores_to_a_working_app(app, index, scratch_app,
                                                                tmp_path):
    make_user("admin", email="admin@example.org")
    for n in range(20):
        save_company(None, {"name": f"Before Backup {n} KK", "interests": f"既存技術{n}"})
    db.session.commit()
    acknowledged: list[str] = []
    begun: list[str] = []
    stop = threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        """Another user saving companies all the while."""
        n = 0
        with app.app_context():
            try:
                while not stop.is_set():
                    begun.append(f"Writer {n} KK")
                    save_company(None, {"name": f"Writer {n} KK", "interests": "並行書込"})
                    db.session.commit()
                    acknowledged.append(f"Writer {n} KK")
                    n += 1
                    time.sleep(0.01)
            except BaseException as err:  # noqa: BLE001
                errors.append(err)
            finally:
                db.session.remove()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        deadline = time.monotonic() + 20
        while len(acknowledged) < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
        before = list(acknowledged)
        archive = tmp_path / "kakehashi.tar.gz"
        manifest = backup_mod.backup(archive, echo=lambda s: None)
        begun_after = len(begun)
        while len(acknowledged) < begun_after + 3 and time.monotonic() < deadline + 20:
            time.sleep(0.02)  # writes go on after the backup
    finally:
        stop.set()
        writer.join(30)
    assert not errors, errors
    assert len(before) >= 5
    assert manifest["engine"] == db.engine.dialect.name
    assert manifest["counts"]["companies"] >= 25

    with scratch_app.app_context():
        said: list[str] = []
        result = backup_mod.restore(archive, echo=said.append)
        # an index kept in the database (search_index/pg.py) is in the dump, not the archive:
        # this Whoosh-backed scratch app rebuilds its own from the restored records
        assert result["index"] == ("rebuilt" if getattr(index, "in_database", False)
                                   else "restored")
        names = set(db.session.scalars(select(Company.name)))
        # every write acknowledged before the backup started is in it
        assert {f"Before Backup {n} KK" for n in range(20)} <= names
        assert set(before) <= names
        # nothing begun after the backup finished
        assert not set(begun[begun_after:]) & names
        assert len(begun) > begun_after
        # and every company in the restored database is in the restored index
        ix = search.get_index()
        assert ix.ids("company") == set(db.session.scalars(select(Company.id)))
        ids = dict(db.session.execute(select(Company.name, Company.id)).all())
        db.session.remove()

    client = scratch_app.test_client()
    client.get("/login")
    answer = client.submit("/login", {"email": "admin@example.org", "password": PASSWORD})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    page = client.get("/companies/?q=Before+Backup+7").get_data(as_text=True)
    assert "Before Backup 7 KK" in page
    found = client.get("/search/?q=並行書込").get_data(as_text=True)
    assert f'href="/companies/{ids[before[0]]}"' in found
    found = client.get("/search/?q=既存技術13").get_data(as_text=True)
    assert f'href="/companies/{ids["Before Backup 13 KK"]}"' in found
    assert client.get("/readyz").status_code == 200


def test_restore_rebuilds_the_index_when_asked_or_when_the_backup_has_none(app, index,
                                                                           scratch_app,
                                                                           tmp_path):
    save_company(None, {"name": "Indexless KK", "interests": "超臨界流体"})
    db.session.commit()
    archive = tmp_path / "no-index.tar.gz"
    assert backup_mod.backup(archive, include_index=False, echo=lambda s: None)["index"] is False
    with scratch_app.app_context():
        result = backup_mod.restore(archive, echo=lambda s: None)
        assert result["index"] == "rebuilt"
        hits = search.get_index().search("超臨界流体")
        assert [h.id for h in hits] == list(db.session.scalars(select(Company.id)))
        db.session.remove()


def test_restore_refuses_a_database_with_data_unless_forced(app, index, runner, tmp_path):
    save_company(None, {"name": "Kept KK"})
    db.session.commit()
    archive = tmp_path / "b.tar.gz"
    result = runner.invoke(args=["backup", "-o", str(archive)])
    assert result.exit_code == 0, result.output
    assert "Backup written to" in result.output and archive.exists()
    save_company(None, {"name": "Newer KK"})
    db.session.commit()

    result = runner.invoke(args=["restore", str(archive)])
    assert result.exit_code == 1
    assert "not empty" in result.output and "--force" in result.output
    db.session.remove()
    assert set(db.session.scalars(select(Company.name))) == {"Kept KK", "Newer KK"}

    result = runner.invoke(args=["restore", str(archive), "--force"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert set(db.session.scalars(select(Company.name))) == {"Kept KK"}


def test_restore_refuses_what_is_not_a_backup(runner, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    result = runner.invoke(args=["restore", str(junk)])
    assert result.exit_code == 1 and "is not a Kakehashi backup" in result.output
    result = runner.invoke(args=["restore", str(tmp_path / "missing.tar.gz")])
    assert result.exit_code == 1 and "no such file" in result.output


def test_restore_refuses_another_engine_and_a_newer_schema(app, index, tmp_path):
    save_company(None, {"name": "Untouched KK"})
    db.session.commit()
    archive = tmp_path / "b.tar.gz"
    backup_mod.backup(archive, echo=lambda s: None)
    import tarfile

    manifest = backup_mod.read_manifest(archive)
    for change, message in (({"engine": "sqlite" if manifest["engine"] == "postgresql"
                              else "postgresql"}, "Restore it into a"),
                            ({"schema_revision": "9999"}, "9999 is unknown")):
        forged = tmp_path / "forged.tar.gz"
        with tarfile.open(archive) as src, tarfile.open(forged, "w:gz") as dst:
            for member in src.getmembers():
                data = src.extractfile(member) if member.isfile() else None
                if member.name == "manifest.json":
                    body = json.dumps({**manifest, **change}).encode()
                    member.size = len(body)
                    data = io.BytesIO(body)
                dst.addfile(member, data)
        with pytest.raises(backup_mod.BackupError, match=message):
            backup_mod.restore(forged, force=True, echo=lambda s: None)
    db.session.remove()
    assert list(db.session.scalars(select(Company.name))) == ["Untouched KK"]


def test_make_run_serves_on_the_port_given():
    """`make run PORT=5001` passes the port to `crm serve` (make -n: print, run nothing)."""
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(["make", "-n", "-W", "pyproject.toml", "run", "PORT=5001"], cwd=root,
                          capture_output=True, text=True, timeout=60, check=True)
    assert ".venv/bin/crm serve --host 127.0.0.1 --port 5001" in done.stdout
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "HOST")}
    done = subprocess.run(["make", "-n", "run"], cwd=root, capture_output=True, text=True,
                          timeout=60, check=True, env=env)
    assert ".venv/bin/crm serve --host 127.0.0.1 --port 5000" in done.stdout


def test_secret_key_from_a_file(monkeypatch, tmp_path):
    """SECRET_KEY_FILE (a systemd credential, a mounted secret) when SECRET_KEY is not set."""
    from crm import config

    key = tmp_path / "secret_key"
    key.write_text("k" * 64 + "\n")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SECRET_KEY_FILE", str(key))
    assert config._secret_key() == "k" * 64
    key.write_text("short")
    with pytest.raises(RuntimeError, match="fewer than 32 characters"):
        config._secret_key()
