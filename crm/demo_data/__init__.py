"""Demo data: a small bilingual liaison office (``crm demo``) or the benchmark set
(``crm demo --scale large``).

The Japanese companies come from an extract of Japan FSA's EDINET code list (public government
data, see README.md); everything else is made up, deterministically from the seed.
"""
from __future__ import annotations

from collections.abc import Callable


def build(scale: str, seed: int, user_ids: dict[str, int],
          echo: Callable[[str], None]) -> dict[str, int]:
    """Create the demo records for the given scale; returns counts of what was made."""
    from crm.tasks.services import backfill_follow_ups

    if scale == "large":
        from crm.demo_data.large import build_large

        made = build_large(seed=seed, user_ids=user_ids, echo=echo)
    else:
        from crm.demo_data.small import build_small

        made = build_small(seed=seed, user_ids=user_ids, echo=echo)
    # The encounters' follow-ups are tasks, as the fair form makes them.
    made["tasks from follow-ups"] = backfill_follow_ups(bulk=scale == "large")
    return made
