"""A list, a screening of the walk's company and one hit, for the screening routes."""
from __future__ import annotations

from crm.extensions import db


def records(ids: dict) -> dict:
    from crm.screening.models import Hit, Screening, ScreeningList

    lst = ScreeningList(kind="meti-eul", version="2024-05-10", entry_count=1, current=True)
    screening = Screening(company_id=ids["company_id"], subject_name="Walk K.K.", country="JP",
                          trigger="test", list_versions=[], threshold=0.86, result="hits")
    hit = Hit(screening=screening, list_kind="meti-eul", list_version="2024-05-10",
              entry_key="EUL1", entry_name="WALK TRADING", entry_snapshot={"names": []},
              entry_fingerprint="x", subject_key="company", subject_fingerprint="y",
              query_name="Walk K.K.", matched_name="WALK TRADING", score=0.9)
    db.session.add_all([lst, screening, hit])
    db.session.commit()
    return {"screening_id": screening.id, "hit_id": hit.id}
