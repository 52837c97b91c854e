"""Fit scores: matched over total weight, the best persona, ties, no match, compiled personas."""

from personas.scoring import CompiledPersonas, compile_personas, fit_score
from tests.personas.scoring_helpers import crit, persona


def test_fit_is_matched_weight_over_total_weight_rounded_half_up():
    p = persona(1, crit("industry", "equals", "saas", 1), crit("country", "equals", "US", 7))
    assert fit_score({"industry": "SaaS"}, [p]).score == 13  # 12.5 rounds up, not to even
    q = persona(2, crit("industry", "equals", "saas", 30), crit("country", "equals", "US", 40))
    assert fit_score({"industry": "SaaS"}, [q]).score == 43


def test_fit_reports_the_best_persona_with_matched_and_missed_criteria():
    smb = persona(
        1, crit("company_size", "range", [None, 50], 50), crit("country", "in", ["US"], 50)
    )
    ent = persona(
        2,
        crit("company_size", "range", [1000, None], 60),
        crit("title", "contains_any", ["vp"], 30),
        crit("country", "in", ["DE"], 10),
        version=3,
        name="Enterprise VP",
    )
    fit = fit_score({"company_size": 5000, "title": "VP Sales", "country": "US"}, [smb, ent])
    assert (fit.score, fit.persona_id, fit.persona_version, fit.persona_name) == (
        90,
        2,
        3,
        "Enterprise VP",
    )
    assert fit.matched == (
        {"field": "company_size", "operator": "range", "weight": 60},
        {"field": "title", "operator": "contains_any", "weight": 30},
    )
    assert fit.missed == ({"field": "country", "operator": "in", "weight": 10},)


def test_fit_ties_go_to_the_lowest_persona_id_whatever_the_order():
    a = persona(7, crit("industry", "equals", "saas"))
    b = persona(3, crit("country", "equals", "US"))
    lead = {"industry": "saas", "country": "US"}
    assert fit_score(lead, [a, b]).persona_id == 3
    assert fit_score(lead, [b, a]).persona_id == 3


def test_fit_without_personas_is_zero_and_names_no_persona():
    fit = fit_score({"industry": "saas"}, [])
    assert (fit.score, fit.persona_id, fit.persona_name, fit.matched, fit.missed) == (
        0,
        None,
        None,
        (),
        (),
    )


def test_fit_without_any_match_names_no_persona():
    fit = fit_score({"industry": "retail"}, [persona(1, crit("industry", "equals", "saas"))])
    assert (fit.score, fit.persona_id, fit.persona_version) == (0, None, None)


def test_persona_without_criteria_scores_zero():
    assert fit_score({"industry": "saas"}, [persona(1)]).score == 0


def test_compiled_personas_score_like_plain_ones_and_survive_reuse():
    personas = [
        persona(
            1, crit("industry", "in", ["saas", "fintech"], 40), crit("country", "equals", "US")
        ),
        persona(
            2,
            crit("industry", "in", ["saas", "fintech"], 40),
            crit("title", "contains_any", ["cto"]),
        ),
    ]
    compiled = compile_personas(personas)
    assert isinstance(compiled, CompiledPersonas)
    leads = [
        {"industry": "SaaS", "country": c, "title": t} for c in ("US", "FR") for t in ("CTO", "")
    ]
    for lead in leads * 2:
        assert fit_score(lead, compiled) == fit_score(lead, personas)
