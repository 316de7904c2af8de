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
    if scale == "large":
        from crm.demo_data.large import build_large

        return build_large(seed=seed, user_ids=user_ids, echo=echo)
    from crm.demo_data.small import build_small

    return build_small(seed=seed, user_ids=user_ids, echo=echo)
