"""Requests with only a vCard or a card photo, and attachments kept while a form is corrected."""
from __future__ import annotations

import re
from io import BytesIO

from sqlalchemy import func, select

from crm.contacts.models import Contact
from crm.extensions import db
from crm.requests.models import DataEntryRequest, HeldUpload
from crm.requests.services import parse_vcard

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
VCARD = """BEGIN:VCARD\r
VERSION:3.0\r
N:鈴木;一郎;;;\r
FN:鈴木 一郎\r
ORG:株式会社サンプル電機;研究開発部\r
TITLE:主任研究員\r
EMAIL;TYPE=INTERNET:ichiro.suzuki@sample.example.jp\r
TEL;TYPE=WORK:03-1234-5678\r
TEL;TYPE=CELL:090-1111-2222\r
END:VCARD\r
""".encode()


def the_request() -> DataEntryRequest:
    db.session.expire_all()
    return db.session.scalars(select(DataEntryRequest)).one()


def requests_count() -> int:
    return db.session.scalar(select(func.count(DataEntryRequest.id)))


def test_parse_vcard_keeps_the_mobile_number():
    card = parse_vcard(VCARD)
    assert card["mobile"] == "090-1111-2222" and card["phone"] == "03-1234-5678"
    assert (card["family_name"], card["given_name"], card["company"]) == (
        "鈴木", "一郎", "株式会社サンプル電機")


def test_a_vcard_alone_is_a_request_and_its_mobile_reaches_the_contact(login):
    researcher = login("researcher")
    researcher.get("/requests/new")
    sent = researcher.submit("/requests/new", {"attachment": (BytesIO(VCARD), "suzuki.vcf")},
                             content_type="multipart/form-data")
    assert sent.status_code == 302, sent.get_data(as_text=True)
    req = the_request()
    assert (req.person_name, req.company_name, req.email) == (
        "鈴木 一郎", "株式会社サンプル電機", "ichiro.suzuki@sample.example.jp")
    assert req.attachment_type == "text/vcard"

    bd = login("bd")
    page = bd.get(f"/requests/{req.id}/enter").get_data(as_text=True)
    assert 'value="090-1111-2222"' in page  # the mobile field, pre-filled from the card
    entered = bd.submit(f"/requests/{req.id}/enter", {
        "family_name": "鈴木", "given_name": "一郎", "company": "株式会社サンプル電機",
        "email": "ichiro.suzuki@sample.example.jp", "phone": "03-1234-5678",
        "mobile": "090-1111-2222"})
    assert entered.status_code == 302, entered.get_data(as_text=True)
    contact = db.session.scalars(select(Contact)).one()
    assert (contact.mobile, contact.phone) == ("090-1111-2222", "03-1234-5678")


def test_a_card_photo_and_a_name_are_a_request(login):
    researcher = login("researcher")
    researcher.get("/requests/new")
    sent = researcher.submit("/requests/new", {"person_name": "佐藤 花子",
                                               "attachment": (BytesIO(PNG), "card.png")},
                             content_type="multipart/form-data")
    assert sent.status_code == 302
    assert (the_request().person_name, the_request().attachment_type) == ("佐藤 花子", "image/png")


def test_a_card_photo_without_a_name_asks_for_it_and_keeps_the_photo(login):
    researcher = login("researcher")
    researcher.get("/requests/new")
    refused = researcher.submit("/requests/new", {"attachment": (BytesIO(PNG), "card.png")},
                                content_type="multipart/form-data")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Enter the name of the person on the card." in page
    assert "card.png is kept from your last try" in page
    assert requests_count() == 0
    token = re.search(r'name="held" type="hidden" value="([^"]+)"', page).group(1)
    # The researcher types the name and sends again, attaching nothing.
    sent = researcher.submit("/requests/new", {"person_name": "佐藤 花子", "held": token},
                             content_type="multipart/form-data")
    assert sent.status_code == 302, sent.get_data(as_text=True)
    req = the_request()
    assert (req.attachment_name, req.attachment) == ("card.png", PNG)
    assert db.session.scalar(select(func.count(HeldUpload.id))) == 0  # used up


def test_a_held_attachment_is_its_owners_only(login, users):
    researcher = login("researcher")
    researcher.get("/requests/new")
    refused = researcher.submit("/requests/new", {"attachment": (BytesIO(PNG), "card.png")},
                                content_type="multipart/form-data")
    token = re.search(r'name="held" type="hidden" value="([^"]+)"',
                      refused.get_data(as_text=True)).group(1)
    other = login("liaison")
    other.get("/requests/new")
    sent = other.submit("/requests/new", {"person_name": "誰か", "where_met": "学会",
                                          "held": token}, content_type="multipart/form-data")
    assert sent.status_code == 302
    assert the_request().attachment is None


def test_a_refused_attachment_is_not_kept(login):
    researcher = login("researcher")
    researcher.get("/requests/new")
    refused = researcher.submit("/requests/new", {
        "person_name": "佐藤", "attachment": (BytesIO(b"MZ\x90\x00"), "virus.exe")},
        content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "kept from your last try" not in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(HeldUpload.id))) == 0
