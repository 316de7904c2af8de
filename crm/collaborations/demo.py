"""Demo collaborations and NDAs for the small demo: a few at each stage of the pipeline, so the
board means something, plus emerging-technology tags on the seeds whose keywords call for them.

Written through the services (so the gates and the audit trail apply), except the export-control
sign-off of the active ones: the demo companies are not screened, so that past sign-off is
recorded as it would have been when the screening was clear.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from crm.auth.models import User
from crm.collaborations import services
from crm.collaborations.models import CollaborationSignoff
from crm.collaborations.steps import item_codes
from crm.companies.models import Company
from crm.demo_data.topics import FIELDS
from crm.extensions import db
from crm.ndas.services import add_disclosure, save_nda
from crm.research.models import ResearchSeed

#: Demo field key -> emerging-technology fields its seeds get.
FIELD_TAGS = {
    "semicon": ["microprocessors"], "quantum": ["quantum"], "robotics": ["robotics"],
    "ai": ["ai_ml", "data_analytics"], "matinf": ["advanced_materials", "data_analytics"],
    "biotech": ["biotechnology"],
}

#: (title ja, kind, stage reached, foreign partner?, extra fields)
PLANS = [
    ("次世代パワー半導体の共同研究", "joint_research", "partner_search", False, {}),
    ("固体電解質の評価受託", "contract_research", "intent_check", False, {}),
    ("量子センサ技術のライセンス", "licence", "research_plan", True,
     {"exclusivity": "non_exclusive"}),
    ("協働ロボット制御の共同研究", "joint_research", "scheme", True,
     {"quarterly_reports": True}),
    ("材料データ基盤の共同研究", "joint_research", "nda", False, {}),
    ("AI 画像診断の技術指導", "consulting", "contract_terms", True,
     {"contract_language": "partner"}),
    ("半導体プロセスの共同研究", "joint_research", "export_control", True,
     {"contract_language": "partner", "quarterly_reports": True}),
    ("水素製造触媒の共同研究", "joint_research", "active", False, {}),
    ("産学連携会員プログラム", "membership", "active", True, {}),
    ("電池リサイクル技術の共同研究", "joint_research", "closed", False, {}),
]


def _tag_seeds(seeds: list[ResearchSeed]) -> int:
    index: dict[str, list[str]] = {}
    for key, tags in FIELD_TAGS.items():
        for word in FIELDS.get(key, {}).get("keywords", []):
            index.setdefault(word.casefold(), []).extend(tags)
    tagged = 0
    for seed in seeds:
        words = [w.strip().casefold() for w in (seed.keywords or "").split(",")]
        tags = {t for w in words for t in index.get(w, [])}
        if tags:
            seed.tech_fields = " ".join(sorted(tags))
            tagged += 1
    return tagged


def add_demo(companies: list[Company], seeds: list[ResearchSeed], today: date) -> dict[str, int]:
    """Tag seeds, then open collaborations and NDAs; returns counts for the demo summary."""
    rng = random.Random(7)  # its own generator: the rest of the demo stays as it was
    tagged = _tag_seeds(seeds)
    manager = db.session.scalar(select(User).where(User.email == "manager@example.org"))
    officers = [u for u in db.session.execute(select(User).order_by(User.id)).scalars()
                if u.can("collaborations.edit") and u.email.startswith("liaison")]
    foreign = [c for c in companies if c.country != "JP"]
    domestic = [c for c in companies if c.country == "JP" and c.industry]
    tagged_seeds = [s for s in seeds if s.tech_fields]
    funded = [s for s in seeds if s.government_funded]
    made, ndas, used_seeds = [], 0, set()
    for n, (title, kind, stage, is_foreign, extra) in enumerate(PLANS):
        company = rng.choice(foreign if is_foreign else domestic)
        pool = funded if kind == "licence" else tagged_seeds if is_foreign else seeds
        seed = rng.choice([s for s in pool if s.id not in used_seeds] or pool)
        used_seeds.add(seed.id)
        officer = officers[n % len(officers)]
        opened = today - timedelta(days=40 + 25 * n)
        collab = services.save_collaboration(None, {
            "kind": kind, "title": title, "company_id": company.id, "officer_id": officer.id,
            "seed_ids": [seed.id], "researcher_ids": [r.id for r in seed.researchers],
            "direct_costs": rng.choice([1_500_000, 3_000_000, 5_000_000, 12_000_000]),
            "currency": "JPY", "opened_on": opened, "contract_language": "ja",
            "conflicts_reviewed": True, "conflicts_seen": ",".join(str(c.id) for c in made),
            "planned_start": opened + timedelta(days=120),
            "planned_end": opened + timedelta(days=120 + 365), **extra,
        }, by=officer)
        target = "active" if stage in ("active", "closed") else stage
        day = opened
        while collab.stage != target and collab.stage != "export_control":
            day = min(day + timedelta(days=rng.randint(3, 9)), today)
            step = collab.stage
            if step == "nda":  # the NDA the step is about
                nda = save_nda(None, {
                    "company_id": company.id, "collaboration_id": collab.id,
                    "title": f"秘密保持契約（{title}）", "status": "signed", "signed_on": day,
                    "effective_from": day, "term_months": 24, "survival_months": 36,
                    "parties": f"国立大学法人 架け橋大学\n{company.name}",
                    "governing_law": "日本法", "mutual": True,
                    "arbitration_place": "SIAC, Singapore" if is_foreign else None,
                    "arbitration_country": "SG" if is_foreign else None})
                add_disclosure(nda, {
                    "disclosed_on": day, "direction": "to_partner",
                    "description": "研究概要と予備実験データ（未公開）",
                    "classification": "confidential", "disclosed_by": officer.name,
                    "disclosed_to": "先方研究開発部門"}, by=officer)
                ndas += 1
            if n == 3 and step == "partner_info":  # one manager override, with its reason
                services.set_checks(collab, step, item_codes(step)[:1], by=manager)
                services.sign_off(collab, day, "与信情報は親会社の公開資料で確認済み", by=manager)
                continue
            services.set_checks(collab, step, item_codes(step), by=officer)
            services.sign_off(collab, day, by=officer)
        if target == "active" and collab.stage == "export_control":
            services.set_checks(collab, "export_control", item_codes("export_control"), by=officer)
            collab.signoffs.append(CollaborationSignoff(
                step="export_control", signed_by=officer, signed_by_name=officer.name,
                signed_on=day))
            collab.stage = "active"
            services.add_minute(collab, {
                "kind": "meeting", "held_on": min(day + timedelta(days=14), today),
                "attendees": "研究代表者、先方技術責任者ほか3名",
                "body": "キックオフ会議。研究計画と役割分担、秘密情報の取扱いを確認した。",
                "next_steps": "四半期報告の様式を先方と合意する"}, by=officer)
        if stage == "closed":
            services.close(collab, min(day + timedelta(days=30), today), "予定どおり完了")
        made.append(collab)
    # One NDA about to expire, for the reminders.
    save_nda(None, {
        "company_id": domestic[0].id, "title": "秘密保持契約（技術相談）", "status": "signed",
        "signed_on": today - timedelta(days=700), "effective_from": today - timedelta(days=700),
        "term_months": 24, "survival_months": 12, "mutual": False,
        "parties": f"国立大学法人 架け橋大学\n{domestic[0].name}"})
    db.session.flush()
    return {"collaborations": len(made), "NDAs": ndas + 1, "seeds tagged": tagged}
