"""The table files an editor keeps (entities.toml, places.toml): a value of the wrong kind is reported with its
file and line, never a traceback; the articles still build; an unknown key is a warning and the rest applies."""

from __future__ import annotations

import shutil

import pytest

from .conftest import Project

SEED = """Bruxelles débloque 210 millions d'euros pour la Mauritanie

12.02.2024 Bruxelles débloque 210 millions d'euros pour la Mauritanie

L'enveloppe, annoncée mardi, doit financer la surveillance des côtes. Nouakchott s'engage à freiner les départs vers les Canaries.

Source

:
<https://www.example-news.fr/1>
"""

MISTAKES = [
    # (file, text added at its end, the message, what is lost meanwhile)
    ("entities.toml", '[organizations.SAVE]\nnames = ["Save the Children"]\n', "organizations.SAVE.names: must be a table, not a list", "entity"),
    ("entities.toml", '[organizations.SAVE]\nnames = { en = "Save the Children" }\naliases = "Save"\n',
     "organizations.SAVE.aliases: must be a list, not text", "entity"),
    ("entities.toml", '[[ambiguous]]\nnames = ["Lima"]\nmeans = 3\n', "ambiguous #36.means: must be text, not a number", "entity"),
    ("places.toml", '[places.somewhere]\nnames = ["Somewhere"]\n', "places.somewhere.names: must be a table, not a list", "story"),
    ("places.toml", '[places.somewhere]\nnames = { fr = "Quelque part" }\nwithin = ["ceuta"]\n',
     "places.somewhere.within: must be text, not a list", "story"),
    ("places.toml", '[kinds.rescue]\nweight = "high"\n', "kinds.rescue.weight: must be a number, not text", "story"),
]


def front(project: Project) -> str:
    text = next(project.content.rglob("*.md")).read_text(encoding="utf-8")
    return "\n".join(line for line in text.split("\n") if line.startswith(("countries:", "organizations:")))


@pytest.mark.parametrize(("name", "mistake", "expected", "lost"), MISTAKES)
def test_a_value_of_the_wrong_kind_is_reported_with_its_line(project: Project, name: str, mistake: str, expected: str, lost: str) -> None:
    project.add_seed("001_aaaaaaaaaaaaaaaa.txt", SEED)
    data = project.root / name
    shipped = data.read_text(encoding="utf-8")
    if "#36" in expected:
        assert shipped.count("\n[[ambiguous]]\n") == 35  # (the message counts the shipped entries)
    data.write_text(shipped + "\n" + mistake, encoding="utf-8")
    line = len(shipped.split("\n")) + len(mistake.split("\n")) - 1  # the mistake's last line
    status, out, err = project.run("build")
    assert status == 1 and "Traceback" not in out + err
    assert f"{name}:{line}: error: {expected}" in out + err
    assert (project.out / "articles").is_dir() and len(list((project.out / "articles").glob("*/index.html"))) == 1  # still built
    if lost == "entity":  # no entity recognised meanwhile; mended, the article is tagged again
        assert front(project) == "countries: []\norganizations: []"
    data.write_text(shipped, encoding="utf-8")
    assert project.run("build")[0] == 0
    assert front(project) == "countries: [MR, ES]\norganizations: [EU]"


@pytest.mark.parametrize(("name", "addition", "place"), [
    ("entities.toml", '[organizations.SAVE]\nnames = { en = "Save the Children" }\nalias = ["Save"]\n', "organizations.SAVE.alias"),
    ("places.toml", '[places.somewhere]\nnames = { fr = "Quelque part" }\ncountry = "MA"\nkind = "town"\nwithn = "ceuta"\n', "places.somewhere.withn"),
])
def test_an_unknown_key_is_a_warning_and_the_rest_applies(project: Project, name: str, addition: str, place: str) -> None:
    project.add_seed("001_aaaaaaaaaaaaaaaa.txt", SEED)
    data = project.root / name
    shipped = data.read_text(encoding="utf-8")
    data.write_text(shipped + "\n" + addition, encoding="utf-8")
    line = len(shipped.split("\n")) + len(addition.split("\n")) - 1
    status, out, err = project.run("build")
    assert status == 0 and f"{name}:{line}: warning: {place}: unknown key" in out + err
    assert front(project) == "countries: [MR, ES]\norganizations: [EU]"


def test_a_broken_entities_toml_is_reported_by_every_run_after(project: Project) -> None:
    """Not only by the run that converts a seed under it: the articles' files are then up to date, and before, the
    runs after (an article edited, the cache lost as in CI, ``check``) said nothing and ended well."""
    project.add_seed("001_aaaaaaaaaaaaaaaa.txt", SEED)
    data = project.root / "entities.toml"
    shipped = data.read_text(encoding="utf-8")
    data.write_text(shipped + "\n" + MISTAKES[0][1], encoding="utf-8")
    expected = f"entities.toml:{len(shipped.split(chr(10))) + 2}: error: {MISTAKES[0][2]}"
    assert project.run("build")[0] == 1
    article = next(project.content.rglob("*.md"))
    article.write_text(article.read_text(encoding="utf-8").replace("Nouakchott", "Nouakchott (corrigé)"), encoding="utf-8")
    for command in ("build", "check"):
        status, out, err = project.run(command)
        assert status == 1 and expected in out + err, (command, out + err)
    shutil.rmtree(project.root / ".cache")
    status, out, err = project.run("build")
    assert status == 1 and expected in out + err
    data.write_text(shipped, encoding="utf-8")
    status, out, err = project.run("build")
    assert status == 0 and "entities.toml" not in out + err
