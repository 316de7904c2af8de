"""Data-entry requests: a researcher asks, the business-development team enters."""
from __future__ import annotations

import re
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from sqlalchemy import select

from crm.common.services import ValidationError
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.events.models import Encounter, Event
from crm.events.services import save_event
from crm.extensions import db
from crm.requests.models import DataEntryRequest, RequestMessage
from crm.requests.services import (
    MAX_ATTACHMENT_BYTES,
    attachment_type,
    parse_vcard,
    queue_counts,
)
from tests.factories import make_request, make_user
from tests.reading import count

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
VCARD = """BEGIN:VCARD\r
VERSION:3.0\r
N:鈴木;一郎;;;\r
FN:鈴木 一郎\r
X-PHONETIC-LAST-NAME:スズキ\r
X-PHONETIC-FIRST-NAME:イチロウ\r
ORG:株式会社サンプル電機;研究開発部\r
TITLE:主任研究員\r
EMAIL;TYPE=INTERNET:ichiro.suzuki@sample.example.jp\r
TEL;TYPE=WORK:03-1234-5678\r
END:VCARD\r
""".encode()


def request_data(**fields: Any) -> dict[str, Any]:
    data = {"person_name": "鈴木 一郎", "person_reading": "すずき いちろう",
            "person_title": "主任研究員", "company_name": "サンプル電機", "email": "",
            "phone": "", "where_met": "応用物理学会 春季講演会", "met_on": "",
            "discussed": "共同研究の可能性", "interests": "パワー半導体", "small_talk": "猫好き"}
    data.update(fields)
    return data


def send(client, **fields: Any):
    return client.submit("/requests/new", request_data(**fields),
                         content_type="multipart/form-data")


def the_request() -> DataEntryRequest:
    db.session.expire_all()
    return db.session.scalars(select(DataEntryRequest)).one()


ORIGINAL = ("person_name", "person_reading", "person_title", "company_name", "email", "phone",
            "where_met", "event_id", "met_on", "discussed", "interests", "small_talk",
            "attachment_name", "attachment_type", "attachment")


def snapshot(req: DataEntryRequest) -> dict[str, Any]:
    return {k: getattr(req, k) for k in ORIGINAL}


@pytest.fixture
def submitted(login, users):
    """A researcher's request with a business-card photo."""
    response = send(login("researcher"), attachment=(BytesIO(JPEG), "card.jpg"))
    assert response.status_code == 302, response.get_data(as_text=True)
    return the_request()


# --- the researcher's side ------------------------------------------------------------------

def test_researcher_submits_and_follows_their_request(login, users):
    client = login("researcher")
    assert client.get("/requests/").status_code == 200
    assert 'enctype="multipart/form-data"' in client.get("/requests/new").get_data(as_text=True)
    response = send(client, attachment=(BytesIO(JPEG), "名刺.jpg"))
    assert response.status_code == 302
    req = the_request()
    assert (req.status, req.submitted_by_id) == ("submitted", users["researcher"].id)
    assert (req.person_name, req.company_name, req.interests) == ("鈴木 一郎", "サンプル電機",
                                                                 "パワー半導体")
    assert (req.attachment_name, req.attachment_type, req.attachment) == (
        "名刺.jpg", "image/jpeg", JPEG)
    mine = client.get("/requests/").get_data(as_text=True)  # a researcher's index is their list
    assert "鈴木 一郎" in mine and "Waiting" in mine
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "共同研究の可能性" in page and f"/requests/{req.id}/attachment" in page


def test_vcard_and_png_are_accepted(login):
    client = login("researcher")
    assert send(client, attachment=(BytesIO(VCARD), "card.vcf")).status_code == 302
    assert send(client, attachment=(BytesIO(PNG), "card.png")).status_code == 302
    types = set(db.session.scalars(select(DataEntryRequest.attachment_type)))
    assert types == {"text/vcard", "image/png"}


@pytest.mark.parametrize("upload, message", [
    ((BytesIO(b"%PDF-1.7 ..."), "card.pdf"), ("Attach a business-card photo (JPEG or PNG) or a "
                                              "vCard (.vcf) file; card.pdf is neither.")),
    ((BytesIO(b"<html>BEGIN:VCARD"), "card.jpg"), "card.jpg is neither"),
    ((BytesIO(b"BEGIN:VCARD\r\nnot a card"), "card.vcf"), "This vCard file cannot be read."),
])
def test_bad_attachment_refused_beside_the_field(login, upload, message):
    response = send(login("researcher"), attachment=upload)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    # The message sits with the attachment field.
    field = page[page.index('name="attachment"'):]
    assert message in field[:1500]
    assert count(DataEntryRequest) == 0


def test_oversize_attachment_refused(login, monkeypatch):
    with pytest.raises(ValidationError) as refused:
        attachment_type("big.jpg", JPEG + b"\x00" * MAX_ATTACHMENT_BYTES)
    assert "attachments may be at most 5 MB" in refused.value.errors["attachment"]
    # Through the form with a smaller limit (the test client spools big bodies to files).
    monkeypatch.setattr("crm.requests.services.MAX_ATTACHMENT_BYTES", 256 * 1024)
    response = send(login("researcher"), attachment=(BytesIO(JPEG + b"\x00" * 256 * 1024),
                                                     "big.jpg"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "attachments may be at most 0.25 MB" in page
    assert count(DataEntryRequest) == 0


def test_request_needs_a_name_and_a_place(login):
    response = send(login("researcher"), person_name="", where_met="", email="nope")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter the name of the person you met." in page
    assert "Say where you met them" in page
    assert "This is not a valid e-mail address." in page
    assert count(DataEntryRequest) == 0


def test_request_at_a_known_event(login, app):
    event = save_event(None, {"name": "nano tech", "starts_on": date.today()})
    db.session.commit()
    response = send(login("researcher"), where_met="", event=f"nano tech [#{event.id}]")
    assert response.status_code == 302
    assert the_request().event_id == event.id


def test_csrf_and_roles(login, client, submitted):
    assert login("researcher").post("/requests/new", data=request_data()).status_code == 400
    assert client.get("/requests/").status_code == 302  # to the login page
    assert login("researcher").get(f"/requests/{submitted.id}/enter").status_code == 403
    assert login("researcher").forge(f"/requests/{submitted.id}/claim").status_code == 403
    assert login("liaison").forge(f"/requests/{submitted.id}/return",
                                   {"question": "?"}).status_code == 403
    assert login("bd").get("/requests/999").status_code == 404


def test_only_the_submitter_and_the_team_see_a_request(login, app, submitted):
    other = make_user("researcher", email="other@example.org")
    from tests.conftest import log_in_as

    outsider = log_in_as(app.test_client(), other)
    for url in (f"/requests/{submitted.id}", f"/requests/{submitted.id}/attachment"):
        assert outsider.get(url).status_code == 403
        assert login("liaison").get(url).status_code == 403
        assert login("researcher").get(url).status_code == 200
        assert login("bd").get(url).status_code == 200
        assert login("manager").get(url).status_code == 200
    assert outsider.forge(f"/requests/{submitted.id}/withdraw").status_code == 403
    assert "鈴木" not in outsider.get("/requests/mine").get_data(as_text=True)


def test_attachment_is_a_download_with_a_whitelisted_type(login, submitted):
    response = login("bd").get(f"/requests/{submitted.id}/attachment")
    assert response.data == JPEG
    assert response.mimetype == "image/jpeg"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # A type that somehow got stored outside the whitelist is served as bytes, never as HTML.
    submitted.attachment_type = "text/html"
    db.session.commit()
    response = login("bd").get(f"/requests/{submitted.id}/attachment")
    assert response.mimetype == "application/octet-stream"


# --- the team's side ------------------------------------------------------------------------

def test_claim_return_answer_and_nothing_is_lost(login, users, submitted):
    before = snapshot(submitted)
    bd = login("bd")
    assert bd.submit(f"/requests/{submitted.id}/claim",
                     page=f"/requests/{submitted.id}").status_code == 302
    req = the_request()
    assert (req.status, req.claimed_by_id) == ("claimed", users["bd"].id)

    # A question is needed: empty is refused beside the field.
    response = bd.submit(f"/requests/{submitted.id}/return", page=f"/requests/{submitted.id}",
                         data={"question": ""})
    assert response.status_code == 422
    assert "Write the question for the researcher." in response.get_data(as_text=True)
    assert the_request().status == "claimed"

    response = bd.submit(f"/requests/{submitted.id}/return",
                         {"question": "会社の正式名称は？"})
    assert response.status_code == 302
    assert the_request().status == "returned"
    researcher = login("researcher")
    page = researcher.get("/requests/mine").get_data(as_text=True)
    assert "Question for you" in page and "会社の正式名称は？" in page
    assert snapshot(the_request()) == before  # returned: still all there

    response = researcher.submit(f"/requests/{submitted.id}/answer",
                                 page=f"/requests/{submitted.id}",
                                 data={"body": "株式会社サンプル電機です"})
    assert response.status_code == 302
    req = the_request()
    assert req.status == "submitted"
    assert [m.body for m in req.messages] == ["会社の正式名称は？", "株式会社サンプル電機です"]
    assert snapshot(req) == before
    # Answering when nothing was asked is refused.
    researcher.get(f"/requests/{submitted.id}")
    assert researcher.page.candidates(f"/requests/{submitted.id}/answer", None) == []
    researcher.forge(f"/requests/{submitted.id}/answer", {"body": "again"})  # a replay
    assert count(RequestMessage) == 2


def test_withdrawn_request_keeps_its_content_and_attachment(login, submitted):
    before = snapshot(submitted)
    researcher = login("researcher")
    assert researcher.submit(f"/requests/{submitted.id}/withdraw",
                             page=f"/requests/{submitted.id}").status_code == 302
    req = the_request()
    assert req.status == "withdrawn" and snapshot(req) == before
    assert login("researcher").get(f"/requests/{submitted.id}/attachment").data == JPEG
    # The team can no longer claim or enter it, and it leaves the open queue.
    bd = login("bd")
    bd.forge(f"/requests/{submitted.id}/claim")  # the button is gone; a replay
    assert the_request().status == "withdrawn"
    assert "鈴木 一郎" not in bd.get("/requests/").get_data(as_text=True)
    assert "鈴木 一郎" in bd.get("/requests/?status=withdrawn").get_data(as_text=True)


def test_enter_prefills_from_the_vcard_shows_duplicates_then_creates(login, users,
                                                                     make_company):
    sample = make_company(name="サンプル電機株式会社")  # near: 株式会社サンプル電機 is exact
    near = make_company(name="サンプル電機工業株式会社")
    researcher = login("researcher")
    assert send(researcher, person_name="スズキさん", where_met="nano tech",
                met_on=date.today().isoformat(),
                attachment=(BytesIO(VCARD), "suzuki.vcf")).status_code == 302
    req = the_request()
    before = snapshot(req)
    bd = login("bd")
    page = bd.get(f"/requests/{req.id}/enter").get_data(as_text=True)
    # Pre-filled from the vCard, and the original shown beside it.
    for value in ('value="鈴木"', 'value="一郎"', 'value="スズキ"', 'value="主任研究員"',
                  'value="ichiro.suzuki@sample.example.jp"', 'value="研究開発部"',
                  'value="nano tech"', "スズキさん"):
        assert value in page, value
    # The company typed exactly like an existing one links to it; nothing was created by looking.
    assert "links to the existing" in page and "サンプル電機株式会社" in page
    assert (count(Company), count(Contact), count(Encounter)) == (2, 0, 0)

    form = {"family_name": "鈴木", "given_name": "一郎", "family_name_reading": "スズキ",
            "given_name_reading": "イチロウ", "title": "主任研究員", "department": "研究開発部",
            "email": "ichiro.suzuki@sample.example.jp", "phone": "03-1234-5678",
            "company": "サンプル電機工業所", "corporate_number": "", "event": "",
            "new_event": "nano tech", "new_event_kind": "trade_show",
            "met_on": date.today().isoformat(), "interests": "パワー半導体",
            "small_talk": "猫好き"}
    # Typed unlike either: both share the distinctive part, so it asks first, saves nothing.
    response = bd.submit(f"/requests/{req.id}/enter", form)
    assert response.status_code == 200
    assert 'name="company_choice"' in response.get_data(as_text=True)
    assert (count(Company), count(Contact), count(Event)) == (2, 0, 0)
    assert the_request().status == "submitted"

    response = bd.submit(f"/requests/{req.id}/enter", dict(form, company_choice=str(near.id)))
    assert response.status_code == 302
    req = the_request()
    contact = db.session.scalars(select(Contact)).one()
    encounter = db.session.scalars(select(Encounter)).one()
    assert req.status == "entered" and req.entered_at is not None
    assert (req.company_id, req.contact_id, req.encounter_id) == (near.id, contact.id,
                                                                   encounter.id)
    assert contact.company_id == near.id and contact.email == "ichiro.suzuki@sample.example.jp"
    assert encounter.user_id == users["researcher"].id  # met by the researcher
    assert encounter.event.name == "nano tech" and encounter.small_talk == "猫好き"
    assert count(Company) == 2 and sample.id != near.id
    assert snapshot(req) == before  # the researcher's version is untouched
    shown = bd.get(f"/requests/{req.id}").get_data(as_text=True)
    assert f"/contacts/{contact.id}" in shown and f"/companies/{near.id}" in shown
    assert f"encounter-{encounter.id}" in shown
    assert "Entered" in login("researcher").get("/requests/mine").get_data(as_text=True)
    # Entered once: a second try (the form sent again) is turned away.
    response = bd.forge(f"/requests/{req.id}/enter", dict(form, company_choice=str(near.id)))
    assert response.status_code == 302 and count(Contact) == 1


def test_enter_links_an_existing_contact_by_email(login, make_company):
    from crm.contacts.services import save_contact

    abc = make_company(name="株式会社ABC")
    existing = save_contact(None, {"family_name": "Smith", "given_name": "John",
                                   "email": "john@abc.example.com", "company_id": abc.id})
    db.session.commit()
    send(login("researcher"), person_name="John Smith", company_name="ABC Co., Ltd.",
         email="John@ABC.example.com", where_met="Dinner in Boston")
    req = the_request()
    bd = login("bd")
    page = bd.get(f"/requests/{req.id}/enter").get_data(as_text=True)
    assert "same e-mail" in page and 'value="Smith"' in page and 'value="John"' in page
    response = bd.submit(f"/requests/{req.id}/enter", {
        "family_name": "Smith", "given_name": "John", "email": "john@abc.example.com",
        "company": "ABC Co., Ltd.", "new_event": "", "event": "", "new_event_kind": "visit",
        "interests": "MEMS sensors"})
    assert response.status_code == 302, response.get_data(as_text=True)
    req = the_request()
    assert (count(Company), count(Contact), count(Encounter)) == (1, 1, 0)
    assert (req.status, req.contact_id, req.company_id, req.encounter_id) == (
        "entered", existing.id, abc.id, None)
    # No event: the conversation is kept on the contact.
    assert "MEMS sensors" in db.session.get(Contact, existing.id).notes


def test_enter_errors_roll_everything_back(login):
    send(login("researcher"))
    req = the_request()
    response = login("bd").submit(f"/requests/{req.id}/enter", {
        "family_name": "鈴木", "company": "新しい会社", "email": "broken@",
        "new_event": "brand new event", "new_event_kind": "visit"})
    assert response.status_code == 422
    assert "This is not a valid e-mail address." in response.get_data(as_text=True)
    assert (count(Company), count(Contact), count(Event)) == (0, 0, 0)
    assert the_request().status == "submitted"


def test_parse_vcard_tolerates_shift_jis_and_fn_only():
    card = parse_vcard("BEGIN:VCARD\r\nVERSION:2.1\r\nFN:山田 花子\r\nORG:テスト(株)\r\n"
                       "END:VCARD\r\n".encode("cp932"))
    assert card == {"family_name": "山田", "given_name": "花子", "company": "テスト(株)"}
    assert parse_vcard(b"garbage") is None


# --- the queue ------------------------------------------------------------------------------


def test_queue_oldest_first_with_aging_and_counts(login, users):
    rid, bd_id = users["researcher"].id, users["bd"].id
    make_request(rid, person_name="新しい人", age_days=1)
    make_request(rid, person_name="古い人", age_days=10)
    make_request(rid, "claimed", 9, person_name="担当中の人", claimed_by_id=bd_id)
    make_request(rid, "returned", 20, person_name="質問中の人")
    make_request(rid, "entered", 30, person_name="済んだ人")
    make_request(rid, "withdrawn", 30, person_name="取り下げた人")
    assert queue_counts() == {"open": 3, "submitted": 2, "claimed": 1, "returned": 1,
                              "aging": 2, "oldest_days": 10}
    for role in ("bd", "manager", "admin"):
        page = login(role).get("/requests/").get_data(as_text=True)
        counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', page))
        assert counts == {"open": "3", "submitted": "2", "claimed": "1", "returned": "1",
                          "aging": "2"}, role
        assert page.index("古い人") < page.index("担当中の人") < page.index("新しい人")
        assert "質問中の人" not in page and "済んだ人" not in page
        assert "10 days waiting" in page
    bd = login("bd")
    assert "質問中の人" in bd.get("/requests/?status=returned").get_data(as_text=True)
    assert "済んだ人" in bd.get("/requests/?status=").get_data(as_text=True)  # all
    mine = bd.get("/requests/?claimed=me").get_data(as_text=True)
    assert "担当中の人" in mine and "古い人" not in mine
    assert "誰か" not in bd.get("/requests/?q=古い").get_data(as_text=True)


@pytest.mark.parametrize("url, role", [("/requests/", "bd"), ("/requests/mine", "researcher")])
def test_list_queries_do_not_grow_with_rows(login, users, count_queries, url, role):
    client = login(role)
    rid = users["researcher"].id
    other = make_user("bd", email="bd2@example.org")

    def fill(n: int) -> None:
        for i in range(n):
            req = make_request(rid, "claimed" if i % 2 else "submitted", i,
                               claimed_by_id=other.id if i % 2 else None,
                               person_name=f"人{i}")
            db.session.add(RequestMessage(request_id=req.id, user_id=other.id, body="?"))
        db.session.commit()

    fill(2)
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    fill(18)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many() == few()


def test_a_vcard_spelling_guide_is_not_taken_for_a_kana_reading():
    """Gmail and iPhone keep a spelling guide for Western names in X-PHONETIC-*: it would fill
    the reading fields of the entry form with text the form then refuses."""
    card = VCARD.replace("スズキ".encode(), b"Dart-mowth").replace("イチロウ".encode(), b"Grregg")
    parsed = parse_vcard(card)
    assert "family_name_reading" not in parsed and "given_name_reading" not in parsed
    assert parsed["family_name"] == "鈴木"
    kana = parse_vcard(VCARD.replace("スズキ".encode(), "すずき".encode()))
    assert (kana["family_name_reading"], kana["given_name_reading"]) == ("すずき", "イチロウ")
