"""Generate N synthetic seed files in the real seed format, deterministically.

    python bench/generate.py N OUT_DIR [--seed 1]

About 75% French, 15% English, 10% Arabic; titles of 6–16 words; bodies of
250–1,500 words; dates 1995–2026; 20 publishers; countries and organisations
mentioned; French guillemets; some paragraphs broken in mid-sentence as the
scrapers do; one of ten little-known places in ~2% of the articles (rare words). The same N and --seed give the same bytes. Nothing generated here
is committed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

PUBLISHERS = [
    "www.yabiladi.com", "www.lemonde.fr", "www.rfi.fr", "www.jeuneafrique.com", "www.lematin.ma",
    "www.infomigrants.net", "www.france24.com", "www.liberation.fr", "www.hespress.com", "www.aljazeera.net",
    "www.theguardian.com", "www.reuters.com", "www.bbc.com", "www.elpais.com", "www.hibapress.com",
    "www.le360.ma", "www.tsa-algerie.com", "www.aps.dz", "www.ouest-france.fr", "www.euronews.com",
]

VOCAB = {
    "fr": {
        "subjects": ["Le gouvernement", "L'Organisation internationale pour les migrations", "Le HCR", "Frontex", "L'Union européenne",
                     "Le ministère de l'Intérieur", "Une ONG locale", "La Croix-Rouge", "Le Maroc", "L'Espagne", "La France",
                     "Les autorités algériennes", "Le Sénégal", "Les garde-côtes", "L'Union africaine", "La Tunisie", "L'OIM"],
        "verbs": ["a annoncé", "a dénoncé", "prévoit", "a signé", "a présenté", "réclame", "a renforcé", "examine", "finance", "soutient"],
        "objects": ["un nouveau plan d'accueil des migrants", "la coopération sur les frontières", "des mesures pour les demandeurs d'asile",
                    "un accord de réadmission", "le Pacte mondial sur les migrations", "la protection des mineurs non accompagnés",
                    "le retour volontaire de migrants", "les conditions de détention", "la régularisation des travailleurs saisonniers",
                    "des sauvetages en mer Méditerranée", "la route atlantique vers les Canaries", "les visas de travail"],
        "places": ["à Rabat", "à Ceuta", "à Melilla", "à Tanger", "à Nador", "à Paris", "à Madrid", "à Bruxelles", "à Dakar", "à Tunis",
                   "à Lampedusa", "à Alger", "aux Canaries", "à Oujda", "à Genève"],
        "fillers": ["selon un communiqué", "d'après des sources officielles", "a-t-on appris", "malgré les critiques",
                    "dans un contexte tendu", "depuis plusieurs mois", "en présence de plusieurs ministres", "pour la première fois"],
        "quote": ["«Nous devons protéger les personnes en déplacement», a déclaré un responsable.",
                  "«La situation reste préoccupante», estime une représentante de l'ONG.",
                  "«C'est une étape importante pour la région», a souligné le ministre."],
    },
    "en": {
        "subjects": ["The government", "The International Organization for Migration", "UNHCR", "Frontex", "The European Union",
                     "The interior ministry", "A local charity", "The Red Cross", "Morocco", "Spain", "France", "Italy's coast guard",
                     "The African Union", "Tunisia", "IOM"],
        "verbs": ["announced", "criticised", "plans", "signed", "presented", "called for", "strengthened", "is reviewing", "funds", "supports"],
        "objects": ["a new reception plan for migrants", "cooperation on border control", "measures for asylum seekers",
                    "a readmission agreement", "the Global Compact for Migration", "protection for unaccompanied minors",
                    "voluntary return programmes", "conditions in detention centres", "seasonal work visas", "rescues in the Mediterranean"],
        "places": ["in Rabat", "in Ceuta", "in Melilla", "in Tangier", "in London", "in Madrid", "in Brussels", "in Dakar", "in Tunis",
                   "on Lampedusa", "in Geneva", "in the Canary Islands"],
        "fillers": ["according to a statement", "officials said", "despite criticism", "amid rising tension", "for several months",
                    "for the first time", "in a joint declaration"],
        "quote": ['"We must protect people on the move," an official said.', '"The situation remains worrying," a spokeswoman said.'],
    },
    "ar": {
        "subjects": ["الحكومة", "المنظمة الدولية للهجرة", "المفوضية السامية للأمم المتحدة لشؤون اللاجئين", "الاتحاد الأوروبي", "وزارة الداخلية",
                     "المغرب", "إسبانيا", "فرنسا", "الاتحاد الإفريقي", "تونس", "الجزائر"],
        "verbs": ["أعلنت", "انتقدت", "وقعت", "قدمت", "طالبت", "عززت", "تدرس", "تمول", "تدعم"],
        "objects": ["خطة جديدة لاستقبال المهاجرين", "التعاون في مراقبة الحدود", "إجراءات لطالبي اللجوء", "اتفاقا لإعادة القبول",
                    "الميثاق العالمي للهجرة", "حماية القاصرين غير المصحوبين", "برامج العودة الطوعية", "عمليات الإنقاذ في البحر المتوسط"],
        "places": ["في الرباط", "في سبتة", "في مليلية", "في طنجة", "في الناظور", "في مدريد", "في بروكسل", "في تونس", "في الجزائر"],
        "fillers": ["حسب بلاغ رسمي", "وفق مصادر مطلعة", "رغم الانتقادات", "منذ عدة أشهر", "لأول مرة"],
        "quote": ["«يجب حماية الأشخاص المتنقلين»، قال مسؤول.", "«الوضع ما يزال مقلقا»، حسب ممثلة المنظمة."],
    },
}


# Places named in about 2% of the French and English articles, each in ~0.2%: words for a
# rare query (bench/search.py), as "Lampedusa" would be in a real archive.
RARE_PLACES = ["Tinzaouaten", "Zouerate", "Nouadhibou", "Tamanrasset", "Ayamonte", "Arguineguin", "Lavrio", "Kalamata", "Assamaka", "Bilbeis"]
RARE = {"fr": "Des migrants ont aussi été signalés à {place}.", "en": "Migrants were also reported near {place}."}


def sentence(rng: random.Random, words: dict) -> str:
    """One plausible news sentence."""
    parts = [rng.choice(words["subjects"]), rng.choice(words["verbs"]), rng.choice(words["objects"]), rng.choice(words["places"])]
    if rng.random() < 0.5:
        parts.append(rng.choice(words["fillers"]))
    text = " ".join(parts)
    return (text + ".") if rng.random() > 0.12 else rng.choice(words["quote"])


def paragraph(rng: random.Random, words: dict, target: int) -> str:
    out: list[str] = []
    while sum(len(s.split()) for s in out) < target:
        out.append(sentence(rng, words))
    return " ".join(out)


def title(rng: random.Random, words: dict) -> str:
    while True:
        text = f"{rng.choice(words['subjects'])} {rng.choice(words['verbs'])} {rng.choice(words['objects'])} {rng.choice(words['places'])}"
        n = len(text.split())
        if 6 <= n <= 16:
            return text
        if n > 16:
            return " ".join(text.split()[:16])


def seed_text(rng: random.Random, index: int) -> tuple[str, str]:
    """The name and text of seed number ``index``."""
    roll = rng.random()
    lang = "fr" if roll < 0.75 else "en" if roll < 0.90 else "ar"
    words = VOCAB[lang]
    headline = title(rng, words)
    day = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange((dt.date(2026, 6, 30) - dt.date(1995, 1, 1)).days))
    total = rng.randint(250, 1500)
    paragraphs: list[str] = []
    while sum(len(p.split()) for p in paragraphs) < total:
        paragraphs.append(paragraph(rng, words, rng.randint(40, 120)))
    if lang == "fr" and rng.random() < 0.3:
        # A scraper's break in mid-sentence, before a word in lower case: the
        # first part ends without punctuation, the second starts in lower case.
        words_ = paragraphs[0].split(" ")
        cuts = [i for i in range(3, len(words_) - 3) if words_[i][:1].islower() and words_[i - 1][-1:].isalpha()]
        if cuts:
            cut = rng.choice(cuts)
            paragraphs[0:1] = [" ".join(words_[:cut]), " ".join(words_[cut:])]
    publisher = rng.choice(PUBLISHERS)
    url = f"https://{publisher}/articles/{day.year}/{day.month:02d}/{index}-{rng.getrandbits(32):08x}.html"
    text = "\n\n" + headline + "\n\n" + f"{day:%d.%m.%Y} {headline}" + "\n\n" + "\n\n".join(paragraphs) + f"\n\nSource\n\n:\n<{url}>"
    name = f"{index:06d}_{rng.getrandbits(64):016x}.txt"
    if lang in RARE and rng.random() < 0.02:  # drawn last: the rest of the article is as before
        sentence_ = RARE[lang].format(place=rng.choice(RARE_PLACES))
        text = text.replace("\n\nSource\n\n", f" {sentence_}\n\nSource\n\n", 1)
    return name, text


def generate(count: int, out: Path, seed: int = 1, start: int = 0) -> list[Path]:
    """Write ``count`` seeds into ``out`` (numbered from ``start``); return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(start, start + count):
        rng = random.Random(f"{seed}-{index}")
        name, text = seed_text(rng, index)
        path = out / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.count, args.out, args.seed)


if __name__ == "__main__":
    main()
