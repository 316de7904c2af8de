"""The pipeline's steps and their checklists, from the guideline's section IV.2 (連携プロセスの管理).

Item codes are stored (CollaborationCheck.item); the labels are translated on display.
The Japanese step names are the guideline's own headings.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from crm.collaborations.models import STAGES, STEPS

KIND_LABELS = {
    "joint_research": _l("Joint research"),
    "contract_research": _l("Contract research"),
    "licence": _l("Licence"),
    "consulting": _l("Consulting"),
    "membership": _l("Membership programme"),
}

STAGE_LABELS = {
    "partner_search": _l("Partner search"),
    "intent_check": _l("Internal intent check"),
    "partner_info": _l("Partner information"),
    "scheme": _l("Collaboration scheme"),
    "nda": _l("NDA and negotiation"),
    "research_plan": _l("Research plan"),
    "contract_terms": _l("Contract terms"),
    "confirmation": _l("Confirmation and briefing"),
    "export_control": _l("Export control and risk"),
    "active": _l("Active (monitoring)"),
    "closed": _l("Closed"),
}

EXCLUSIVITY_LABELS = {"exclusive": _l("Exclusive"), "non_exclusive": _l("Non-exclusive")}
LANGUAGE_LABELS = {"ja": _l("Japanese"), "partner": _l("The partner's language")}
MINUTE_KIND_LABELS = {"meeting": _l("Minutes of a meeting"), "progress": _l("Progress note")}

#: Why an indirect cost rate applies (crm.collaborations.services.indirect_costs).
RATE_REASON_LABELS = {
    "default": _l("Default rate"),
    "quarterly_reports": _l("The company wants quarterly progress reports (managed by a URA)"),
    "partner_language": _l("The contract is in the partner's language"),
}

#: Each step's checklist: (item code, label). From section IV.2 of the guideline.
CHECKLISTS: dict[str, list[tuple[str, object]]] = {
    "partner_search": [
        ("candidate", _l("Candidate partner and its contact person identified")),
        ("route", _l("How the partner was found is recorded (researcher, liaison officer, "
                     "intermediary, event)")),
    ],
    "intent_check": [
        ("seed_status", _l("Seed status confirmed (progress of the research)")),
        ("basic_patents", _l("Basic patents checked")),
        ("other_collaborations", _l("Other collaborations on the seed checked (domestic and "
                                    "foreign)")),
        ("competitive_funding", _l("Competitive funding checked")),
        ("researcher_capacity", _l("The researcher's wishes and capacity confirmed")),
    ],
    "partner_info": [
        ("credit", _l("Credit information obtained (与信調査)")),
        ("country_laws", _l("Country of the company and of its headquarters, and their laws, "
                            "checked")),
        ("business_regions", _l("Regions where the company does business checked")),
    ],
    "scheme": [
        ("method", _l("Form of collaboration chosen (discussion on public information, "
                      "consulting, joint research; participating researchers limited)")),
        ("confidential_split", _l("Confidential information sorted: what may be disclosed "
                                  "under the NDA, what only after the contract")),
        ("related_ip", _l("Related IP checked, including IP under the Japanese Bayh-Dole rule "
                          "and the partner's IP")),
        ("return_risk", _l("Return and risk analysed; points that cannot be conceded set")),
    ],
    "nda": [
        ("nda_signed", _l("NDA signed")),
        ("legal_support", _l("Legal advice or an intermediary's support arranged")),
        ("third_party_ip", _l("Third-party patents in the partner's information disclosed")),
        ("partner_researchers", _l("Careers and publications of the partner's researchers "
                                   "checked")),
    ],
    "research_plan": [
        ("plan", _l("Research plan agreed with the partner (title, aims, content, expected "
                    "results)")),
        ("members", _l("Researchers, their roles and places named; students and visiting "
                       "researchers included")),
        ("schedule", _l("Period, schedule and milestones set")),
        ("resources", _l("Costs, facilities and information to provide set")),
    ],
    "contract_terms": [
        ("expert_check", _l("Terms checked by an expert (MEXT model contracts, さくらツール)")),
        ("costs", _l("Costs: payment, accounting, equipment ownership, cancellation")),
        ("confidentiality", _l("Confidentiality: term, handling at publication, know-how")),
        ("results_ip", _l("Ownership and use of results and IP")),
        ("law_disputes", _l("Governing law, jurisdiction and arbitration (a third country for "
                            "foreign companies); anti-social forces clause")),
    ],
    "confirmation": [
        ("no_constraints", _l("No major constraint on the lead researcher's other research or "
                              "on the use of the IP")),
        ("internal_rules", _l("Terms comply with the institution's rules")),
        ("briefed", _l("Lead researcher and participants briefed on their obligations "
                       "(students and visiting researchers included)")),
    ],
    "export_control": [
        ("list_catch_all", _l("Research field and purpose checked against list control and "
                              "catch-all control")),
        ("destination", _l("Partner's country (white country or not) and people (resident or "
                           "non-resident) checked")),
        ("content", _l("Research content checked (activities, information provided, expected "
                       "results)")),
        ("risk", _l("No problem from a risk-management point of view")),
    ],
}

assert set(CHECKLISTS) == set(STEPS)
assert list(STAGE_LABELS) == list(STAGES)


def item_codes(step: str) -> list[str]:
    return [code for code, _label in CHECKLISTS.get(step, [])]


#: Sign-off gates that are not checklist items but are recorded like them when overridden.
GATE_LABELS = {"nda_register": _l("A signed NDA with the company in the NDA register")}


def item_label(step: str, code: str) -> object:
    return dict(CHECKLISTS.get(step, [])).get(code) or GATE_LABELS.get(code, code)


def next_stage(stage: str) -> str:
    """The stage after a step's sign-off: the next step, or active after the ninth."""
    return STAGES[STAGES.index(stage) + 1]
