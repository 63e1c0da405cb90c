"""Entity recognition: precision and recall on a labelled set, and the rules of matching."""

from __future__ import annotations

import tomllib

import pytest

from crossings import entities

from .conftest import FIXTURES, REPO

LABELLED = tomllib.loads((FIXTURES / "entities" / "labelled.toml").read_text(encoding="utf-8"))["article"]


@pytest.fixture(scope="module")
def found() -> entities.Entities:
    loaded, problems = entities.load(REPO / "entities.toml")
    assert problems == []
    return loaded


REALSTYLE = sorted((FIXTURES / "entities").glob("*/*.toml"))  # realstyle/ (tune, holdout), fresh/ (holdout2: written apart, scored once blind)
TARGETS = {"countries": (0.97, 0.95), "organizations": (0.97, 0.95)}  # (precision, recall), issue #16


def scores(found: entities.Entities, articles: list[dict]) -> dict[str, tuple[float, float]]:
    """Micro-averaged (precision, recall) for countries and organisations over labelled articles."""
    totals = {"countries": [0, 0, 0], "organizations": [0, 0, 0]}  # true positives, found, expected
    for article in articles:
        got = dict(zip(("countries", "organizations"), found.find(article["text"]), strict=True))
        for kind in totals:
            expected, result = set(article[kind]), set(got[kind])
            totals[kind][0] += len(expected & result)
            totals[kind][1] += len(result)
            totals[kind][2] += len(expected)
    return {kind: (tp / max(n, 1), tp / max(m, 1)) for kind, (tp, n, m) in totals.items()}


def test_the_labelled_set_is_large_enough() -> None:
    assert len(LABELLED) >= 30
    languages = {"ar" if any("\u0600" <= c <= "\u06ff" for c in a["text"]) else "x" for a in LABELLED}
    assert "ar" in languages


def test_precision_and_recall(found: entities.Entities) -> None:
    result = scores(found, LABELLED)
    print("\n" + "\n".join(f"{kind}: precision {p:.3f}, recall {r:.3f}" for kind, (p, r) in result.items()))
    for kind, (precision, recall) in result.items():
        assert precision >= 0.95, (kind, precision)
        assert recall >= 0.9, (kind, recall)


def test_the_real_style_sets_are_there() -> None:
    assert "tune.toml" in [p.name for p in REALSTYLE]


@pytest.mark.parametrize("path", REALSTYLE, ids=[p.name for p in REALSTYLE])
def test_real_style_precision_and_recall(found: entities.Entities, path) -> None:
    """Each real-style file (tune.toml, holdout.toml…) meets the issue's targets, as a whole; figures per language are printed."""
    articles = tomllib.loads(path.read_text(encoding="utf-8"))["article"]
    assert len(articles) >= 50 and {a["lang"] for a in articles} == {"fr", "en", "es", "ar"}
    for lang in ("fr", "en", "es", "ar", None):
        result = scores(found, [a for a in articles if lang in (None, a["lang"])])
        print(f"\n{path.name} {lang or 'all'}: " + "; ".join(f"{kind} P {p:.3f} R {r:.3f}" for kind, (p, r) in result.items()))
    for kind, (precision, recall) in result.items():
        assert precision >= TARGETS[kind][0], (path.name, kind, "precision", precision)
        assert recall >= TARGETS[kind][1], (path.name, kind, "recall", recall)


@pytest.mark.parametrize(("text", "countries", "organizations"), [
    ("Le Sénégal et le Senegal.", ["SN"], []),                        # accents do not matter
    ("La réunion s'est tenue hier.", [], []),                        # an ordinary word
    ("Maroc, MAROC, maroc.", ["MA"], []),                             # capitalised names keep their capital
    ("des Marocains et des marocaines", ["MA"], []),                  # demonyms, any case
    ("UN MIGRANT ARRIVE AU PORT", [], []),                            # no acronyms inside a headline in capitals
    ("l'UE et l'UA", [], ["EU", "AU"]),
    ("au Maroc", ["MA"], []),                                         # 'au' is a word, 'AU' an organisation
    ("Guinée-Bissau, Guinée équatoriale, Guinée", ["GW", "GQ", "GN"], []),  # the longest name wins
    ("Réseau des Nations unies sur les migrations", [], ["UNNM"]),
    ("وللمغرب وبالجزائر والاتحاد الأوروبي", ["MA", "DZ"], ["EU"]),   # Arabic prefixes
    ("المَغْرِب", ["MA"], []),                                        # Arabic vowel marks
    ("Marocco", [], []),                                              # whole words only
    ("Nigeria and Niger", ["NG", "NE"], []),
])
def test_matching_rules(found: entities.Entities, text: str, countries: list[str], organizations: list[str]) -> None:
    assert found.find(text) == (countries, organizations)


def test_an_editor_can_extend_the_data_file(tmp_path) -> None:
    data = (REPO / "entities.toml").read_text(encoding="utf-8") + '\n[organizations.Caminando]\nnames = { fr = "Caminando Fronteras" }\naliases = ["Caminando Fronteras"]\n'
    (tmp_path / "entities.toml").write_text(data.replace('exclude = ["Maurice"', 'exclude = ["Sénégal", "Maurice"'), encoding="utf-8")
    extended, _ = entities.load(tmp_path / "entities.toml")
    assert extended.find("Caminando Fronteras, au Sénégal") == ([], ["Caminando"])


def test_finding_names_leaves_no_garbage_only_the_cyclic_collector_frees(found: entities.Entities) -> None:
    """A build disables the cyclic collector, and its import workers are forked from it: whatever ``find``
    leaves in a reference cycle stays until the worker ends (a 10k build from seeds peaked at 427 MB, 269 MB without)."""
    import gc

    texts = [article["text"] for article in LABELLED]
    texts.append("Hamid Hassan a rencontré le HCR à Oran avec l'OIM. La Universidad de Alicante (UA) et l'Union africaine (UA).")
    assert any(found.find(text)[1] for text in texts)
    gc.collect()
    gc.disable()
    try:
        for text in texts:
            found.find(text)
        assert gc.collect() == 0
    finally:
        gc.enable()
