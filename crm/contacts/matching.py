"""Is this company or person already in the CRM? Duplicate matching for forms and importers.

Exact matches are linked without asking: the same corporate number, the same company name once
width, case, punctuation and legal form are folded away (株式会社ABC, ＡＢＣ(株) and
ABC Co., Ltd. are one company), the same e-mail address for a person. Near matches are shown
for a person to confirm. Companies in one field share words (X Electric, Y Electric;
山田電機, 川田電機), so a near match needs a *distinctive* part in common: the name with the
common nouns of company names (電機, 工業, Electric, Industries ...) taken off.

These functions only read the database.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from sqlalchemy import func, or_, select

from crm.common.services import DuplicateRule, ValidationError
from crm.common.sql import like
from crm.common.text import (
    fold_company_name,
    fold_text,
    nfkc,
    normalise_corporate_number,
    valid_corporate_number,
)
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.extensions import db

#: Words that many companies in one field share: they say what a company does, not which one it
#: is. Folded as fold_company_name folds (lower case, katakana). Taken off the ends of a name
#: (Japanese runs words together) or out of it as whole words (English).
GENERIC_WORDS_JA = (
    "ホールディングス", "グループ", "ジャパン", "インターナショナル", "テクノロジーズ", "テクノロジー",
    "テクノロジ", "エンジニアリング", "ソリューションズ", "ソリューション", "システムズ", "システム",
    "エレクトロニクス", "サービス", "コーポレーション", "カンパニー", "ラボ", "ラボラトリーズ",
    "製作所", "研究所", "工業所", "電機", "電気", "電子", "電工", "電線", "工業", "産業", "興業",
    "化学", "化成", "化工", "技研", "技術", "商事", "商会", "商店", "物産", "製薬", "薬品", "精機",
    "精工", "機械", "機器", "工機", "重工", "重工業", "自動車", "建設", "通信", "製鋼", "製鉄",
    "鉄鋼", "金属", "製紙", "食品", "光学", "医療", "材料", "素材", "エネルギー", "開発", "総研",
    "工務店", "製造", "本社", "日本", "東京", "大阪", "国際",
)
GENERIC_WORDS_EN = frozenset((
    "electric", "electrical", "electronics", "electronic", "industries", "industrial", "industry",
    "chemical", "chemicals", "engineering", "systems", "system", "technologies", "technology",
    "tech", "holdings", "holding", "group", "international", "global", "japan", "nippon",
    "manufacturing", "motor", "motors", "materials", "material", "pharmaceutical",
    "pharmaceuticals", "pharma", "works", "solutions", "solution", "company", "products",
    "machinery", "machines", "heavy", "steel", "medical", "energy", "trading", "services",
    "service", "labs", "laboratories", "laboratory", "research", "development", "devices",
    "instruments", "precision", "networks", "communications", "the", "and", "of", "de",
    "kabushiki", "kaisha", "america", "europe", "asia", "usa",
))
_GENERIC_JA = sorted({fold_company_name(w) for w in GENERIC_WORDS_JA}, key=len, reverse=True)
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヵヶー]")
_WORD_SPLIT_RE = re.compile(r"[\s,、/・･&＆+]+")

#: How alike two distinctive parts must be (difflib ratio) to count as a near match.
NEAR_RATIO = 0.8
#: The most candidate rows read from the database for one near-match check.
CANDIDATE_LIMIT = 200


def _strip_generic_ja(word: str) -> str:
    """Take common nouns off both ends of a Japanese word: 山田電機工業 -> 山田."""
    changed = True
    while changed and word:
        changed = False
        for generic in _GENERIC_JA:
            if word.endswith(generic) and len(word) > len(generic):
                word, changed = word[: -len(generic)], True
                break
            if word.startswith(generic) and len(word) > len(generic):
                word, changed = word[len(generic):], True
                break
    return "" if word in _GENERIC_JA else word


def distinctive_words(name: str | None) -> list[str]:
    """The words of a company name that tell it apart from others in its field, folded:
    'Y Electric Industries Co., Ltd.' -> ['y']; '株式会社 山田電機' -> ['山田']."""
    words = []
    for chunk in _WORD_SPLIT_RE.split(nfkc(name)):
        folded = fold_company_name(chunk)
        if not folded or folded in GENERIC_WORDS_EN:
            continue
        if _CJK_RE.search(folded):
            folded = _strip_generic_ja(folded)
        if folded:
            words.append(folded)
    return words


def distinctive_core(name: str | None) -> str:
    """The distinctive words run together; the whole folded name when every word is generic
    (日本電気 is a name in its own right)."""
    return "".join(distinctive_words(name)) or fold_company_name(name)


def _company_names(company: Company) -> list[str]:
    return [n for n in (company.name, company.name_en, *company.alias_list) if n]


def _cores_near(a: str, b: str) -> bool:
    """Whether two distinctive parts are close enough to ask: equal, one the start or end of
    the other (東芝 / 東芝テック), or a few letters apart (Toyota / Toyoda)."""
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    min_len = 2 if _CJK_RE.search(short) else 3
    if len(short) >= min_len and (long_.startswith(short) or long_.endswith(short)):
        return True
    return min(len(a), len(b)) >= 4 and SequenceMatcher(None, a, b).ratio() >= NEAR_RATIO


@dataclass
class CompanyMatches:
    """What find_company found: exact matches (link without asking when there is one) and
    near matches (ask)."""

    exact: list[Company] = field(default_factory=list)
    near: list[Company] = field(default_factory=list)
    #: "corporate_number" or "name": why the exact matches matched.
    reason: str | None = None

    @property
    def unique(self) -> Company | None:
        """The one company this certainly is, if there is exactly one."""
        return self.exact[0] if len(self.exact) == 1 else None

    @property
    def to_confirm(self) -> list[Company]:
        """Companies a person must choose between (several exact ones, or near ones)."""
        if self.unique is not None:
            return []
        return self.exact + [c for c in self.near if c not in self.exact]


def find_company(name: str | None, corporate_number: str | None = None,
                 limit: int = 5) -> CompanyMatches:
    """The companies a typed name (and corporate number, if known) may be.

    A valid corporate number held by a company is an exact match whatever the name. Otherwise
    companies whose name, English name or an alias folds to the same key are exact; companies
    sharing a distinctive part of the name are near (at most `limit`).
    """
    number = normalise_corporate_number(corporate_number)
    if number and valid_corporate_number(number):
        holder = db.session.scalar(select(Company).where(Company.corporate_number == number))
        if holder is not None:
            return CompanyMatches(exact=[holder], reason="corporate_number")
    key = fold_company_name(name)
    if not key:
        return CompanyMatches()
    core = distinctive_core(name)
    patterns = {key, core}
    for word in distinctive_words(name) or [core]:
        # Both halves of each distinctive word, so a typo in one half still finds candidates.
        half = max(2, -(-len(word) // 2))
        patterns.update({word[:half], word[-half:]} if len(word) > half else {word})
    patterns = {p for p in patterns if p}
    candidates = db.session.execute(
        select(Company).where(or_(
            Company.name_folded == key,
            *(Company.search_text.like(like(p), escape="\\") for p in sorted(patterns)),
        )).order_by(func.length(Company.name_folded), Company.id).limit(CANDIDATE_LIMIT)
    ).scalars().all()
    exact, near = [], []
    for company in candidates:
        names = _company_names(company)
        if company.name_folded == key or any(fold_company_name(n) == key for n in names):
            exact.append(company)
        elif len(near) < limit and any(_cores_near(core, distinctive_core(n)) for n in names):
            near.append(company)
    return CompanyMatches(exact=exact, near=near, reason="name" if exact else None)


@dataclass
class ContactMatches:
    """What find_contact found: the person with this e-mail (certain) and people of the same
    name at the same company (ask)."""

    exact: Contact | None = None
    near: list[Contact] = field(default_factory=list)


def _name_key(value: str | None) -> str:
    return fold_text(value).replace(" ", "").replace("\u3000", "")


def find_contact(email: str | None, family: str | None, given: str | None,
                 company: Company | int | None = None, *,
                 also_companies: Iterable[Company | int] = (), limit: int = 5) -> ContactMatches:
    """The contacts a typed person may be.

    The same e-mail address (main or other, case-insensitive) is the same person. The same
    family and given name (either order, any width or case) at the same company — or at any of
    `also_companies`, while the user is still choosing the company — is a near match.
    """
    found = ContactMatches()
    address = nfkc(email).lower()
    if address:
        found.exact = db.session.scalars(
            select(Contact).where(Contact.email == address).order_by(Contact.id).limit(1)
        ).first()
        if found.exact is None:
            for contact in db.session.scalars(
                    select(Contact).where(Contact.other_emails.like(like(address), escape="\\"))
                    .order_by(Contact.id).limit(20)):
                if address in (line.strip().lower() for line in contact.other_emails.splitlines()):
                    found.exact = contact
                    break
    company_ids = {c if isinstance(c, int) else c.id
                   for c in (company, *also_companies) if c is not None}
    family_key, given_key = _name_key(family), _name_key(given)
    if not family_key or not company_ids:
        return found
    rows = db.session.scalars(
        select(Contact).where(Contact.company_id.in_(sorted(company_ids)),
                              or_(func.lower(Contact.family_name) == nfkc(family).lower(),
                                  func.lower(Contact.given_name) == nfkc(family).lower()))
        .order_by(Contact.id)
    ).all()
    for contact in rows:
        if contact is found.exact or len(found.near) >= limit:
            continue
        names = (_name_key(contact.family_name), _name_key(contact.given_name))
        if names == (family_key, given_key) or (given_key and names == (given_key, family_key)) \
                or (not given_key and names[0] == family_key):
            found.near.append(contact)
    return found



# --- the one rule for creating a company or a contact by hand ------------------------------

class DuplicateRefused(ValidationError):
    """Creating (or renaming) this record would make a second copy of one already held:
    refused, naming the existing record so the user can open it instead."""

    def __init__(self, field_name: str, message: str, existing: Company | Contact,
                 also: dict[str, str] | None = None):
        super().__init__({**(also or {}), field_name: message})
        self.field_name = field_name
        self.existing = existing


class NearDuplicates(Exception):
    """Records that may be the one typed: the user is asked, and creates anyway only by
    confirming."""

    def __init__(self, companies: list[Company] | None = None,
                 contacts: list[Contact] | None = None):
        super().__init__("possible duplicates")
        self.companies = companies or []
        self.contacts = contacts or []


#: The duplicate rule the company and contact forms hand to save_form.
DUPLICATE_RULE = DuplicateRule(near=NearDuplicates, refused=DuplicateRefused)


def check_company(name: str | None, corporate_number: str | None = None, *,
                  company: Company | None = None, near_confirmed: bool = False) -> None:
    """The rule for a company typed by hand (company form, fair form, request entry).

    The same valid corporate number or the same folded name as another company is refused
    (DuplicateRefused); a near match raises NearDuplicates unless the user has confirmed.
    `company` is the record being edited: it never matches itself.
    """
    from flask_babel import gettext as _

    matches = find_company(name, corporate_number)
    exact = [c for c in matches.exact if c is not company]
    if exact:
        holder = exact[0]
        if matches.reason == "corporate_number":
            raise DuplicateRefused("corporate_number", _(
                "Corporate number %(number)s already belongs to %(name)s (#%(id)s): open that "
                "company instead of adding a second one.",
                number=normalise_corporate_number(corporate_number), name=holder.name,
                id=holder.id), holder)
        raise DuplicateRefused("name", _(
            "%(typed)s is already in the CRM as %(name)s (#%(id)s): open that company instead "
            "of adding a second one.", typed=nfkc(name), name=holder.name, id=holder.id), holder)
    near = [c for c in matches.near if c is not company]
    if near and not near_confirmed:
        raise NearDuplicates(companies=near)


def check_contact(email: str | None, family: str | None, given: str | None,
                  company_id: int | None, *, contact: Contact | None = None,
                  near_confirmed: bool = False) -> None:
    """The rule for a person typed by hand: the same e-mail address as another contact is
    refused; the same name at the same company is asked about first (NearDuplicates)."""
    from flask_babel import gettext as _

    found = find_contact(email, family, given, company_id)
    if found.exact is not None and found.exact is not contact:
        holder = found.exact
        raise DuplicateRefused("email", _(
            "%(email)s already belongs to %(name)s (#%(id)s); open that contact instead of "
            "adding a second one.", email=nfkc(email).lower(), name=holder.display_name,
            id=holder.id), holder)
    near = [c for c in found.near if c is not contact]
    if near and not near_confirmed:
        raise NearDuplicates(contacts=near)
