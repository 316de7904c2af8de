"""The demo records themselves (being expanded)."""
from __future__ import annotations

from crm.companies.services import save_company


def build(scale: str, seed: int, user_ids: dict[str, int], echo) -> dict[str, int]:
    save_company(None, {"name": "株式会社サンプル電機", "name_en": "Sample Electric Co., Ltd.",
                        "interests": "パワー半導体の熱設計、SiC デバイスの信頼性評価",
                        "officer_id": user_ids["liaison@example.org"], "status": "active"})
    return {"users": len(user_ids), "companies": 1}
