"""The collaboration pipeline board on a 1366 px laptop, in English: the long stage names of
empty (narrow) columns wrap between words, never inside one ("Collaboratio / n")."""
from __future__ import annotations

#: Each word of each column title, and how many lines it is drawn on.
WORD_LINES = """() => [...document.querySelectorAll('.board-col h2 > span:first-child')].flatMap(el => {
    const out = [];
    const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walk.nextNode(); node; node = walk.nextNode()) {
        for (const m of node.data.matchAll(/\\S+/g)) {
            const r = document.createRange();
            r.setStart(node, m.index);
            r.setEnd(node, m.index + m[0].length);
            const tops = new Set([...r.getClientRects()].map(c => Math.round(c.top)));
            out.push([m[0], tops.size]);
        }
    }
    return out;
})"""


def test_empty_stage_columns_do_not_break_a_word_at_1366_px(open_screen, server, shot):
    screen = open_screen("manager", viewport={"width": 1366, "height": 900}, lang="en")
    page = screen.page
    page.goto(f"{server}/collaborations/")
    assert page.locator(".board-col.is-empty").count() >= 9  # no collaborations: all narrow
    shot(page, "board_1366_en")
    words = page.evaluate(WORD_LINES)
    assert {"Collaboration", "Confirmation"} <= {w for w, _lines in words}
    assert [w for w, lines in words if lines > 1] == []
    # still narrow: an empty column is far narrower than one with cards (10.5 rem)
    widths = page.locator(".board-col.is-empty").evaluate_all(
        "cols => cols.map(c => c.getBoundingClientRect().width)")
    assert max(widths) < 10.5 * 16
    screen.assert_clean()
