"""Generate N synthetic seed files in the real seed format, deterministically.

    python bench/generate.py N OUT_DIR [--seed 1]

About 70% French, 15% English, 7% Spanish, 8% Arabic; titles of 6–16 words;
bodies of 250–1,500 words; dates 1995–2026; 20 publishers; each article names
3–5 countries and a few organisations (its cast), in about a third of its
sentences, as news articles do; French guillemets; some paragraphs broken in mid-sentence as the
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

# Each language's words. An article names a cast drawn from "countries" (subjects that name a country), "bodies"
# (organisations) and "places" (cities, each in a country); its other sentences have unnamed "actors" or are "facts"
# that name nothing, as most sentences of a news article do.
VOCAB = {
    "fr": {
        "countries": ["Le Maroc", "L'Espagne", "La France", "Les autorités algériennes", "Le Sénégal", "La Tunisie", "L'Italie"],
        "bodies": ["L'Organisation internationale pour les migrations", "Le HCR", "Frontex", "L'Union européenne", "La Croix-Rouge",
                   "L'Union africaine", "L'OIM"],
        "actors": ["Le gouvernement", "Le ministère de l'Intérieur", "Une ONG locale", "Les garde-côtes", "Le maire de la ville",
                   "Un collectif d'associations", "La préfecture", "Les syndicats"],
        "verbs": ["a annoncé", "a dénoncé", "prévoit", "a signé", "a présenté", "réclame", "a renforcé", "examine", "finance", "soutient"],
        "objects": ["un nouveau plan d'accueil des migrants", "la coopération sur les frontières", "des mesures pour les demandeurs d'asile",
                    "un accord de réadmission", "le Pacte mondial sur les migrations", "la protection des mineurs non accompagnés",
                    "le retour volontaire de migrants", "les conditions de détention", "la régularisation des travailleurs saisonniers",
                    "des sauvetages en mer Méditerranée", "la route atlantique vers les Canaries", "les visas de travail"],
        "places": ["à Rabat", "à Ceuta", "à Melilla", "à Tanger", "à Nador", "à Paris", "à Madrid", "à Bruxelles", "à Dakar", "à Tunis",
                   "à Lampedusa", "à Alger", "aux Canaries", "à Oujda", "à Genève"],
        "fillers": ["selon un communiqué", "d'après des sources officielles", "a-t-on appris", "malgré les critiques",
                    "dans un contexte tendu", "depuis plusieurs mois", "en présence de plusieurs ministres", "pour la première fois"],
        "facts": ["Plus de {n} personnes ont été secourues depuis le début de l'année.", "Une embarcation transportait {n} migrants, dont des femmes et des enfants.",
                  "Les associations dénoncent des refoulements répétés à la frontière.", "Le centre d'accueil, prévu pour {n} places, est saturé.",
                  "Les demandes d'asile ont augmenté de {n} % en un an.", "Plusieurs familles attendent toujours une réponse de l'administration.",
                  "Les rescapés ont été pris en charge par les secours et transférés vers un hôpital.", "Le texte doit être examiné par les députés le mois prochain."],
        "quote": ["«Nous devons protéger les personnes en déplacement», a déclaré un responsable.",
                  "«La situation reste préoccupante», estime une représentante de l'ONG.",
                  "«C'est une étape importante pour la région», a souligné le ministre."],
    },
    "en": {
        "countries": ["Morocco", "Spain", "France", "Italy's coast guard", "Tunisia", "Greece", "Libya"],
        "bodies": ["The International Organization for Migration", "UNHCR", "Frontex", "The European Union", "The Red Cross",
                   "The African Union", "IOM"],
        "actors": ["The government", "The interior ministry", "A local charity", "The coast guard", "The city council", "Rights groups",
                   "The opposition", "Lawyers for the families"],
        "verbs": ["announced", "criticised", "plans", "signed", "presented", "called for", "strengthened", "is reviewing", "funds", "supports"],
        "objects": ["a new reception plan for migrants", "cooperation on border control", "measures for asylum seekers",
                    "a readmission agreement", "the Global Compact for Migration", "protection for unaccompanied minors",
                    "voluntary return programmes", "conditions in detention centres", "seasonal work visas", "rescues in the Mediterranean"],
        "places": ["in Rabat", "in Ceuta", "in Melilla", "in Tangier", "in London", "in Madrid", "in Brussels", "in Dakar", "in Tunis",
                   "on Lampedusa", "in Geneva", "in the Canary Islands"],
        "fillers": ["according to a statement", "officials said", "despite criticism", "amid rising tension", "for several months",
                    "for the first time", "in a joint declaration"],
        "facts": ["More than {n} people have been rescued since the start of the year.", "The boat was carrying {n} migrants, including women and children.",
                  "Aid workers say the reception centre, built for {n} people, is full.", "Asylum applications rose by {n} per cent in a year.",
                  "Several families are still waiting for an answer from the authorities.", "The survivors were taken to hospital by the emergency services.",
                  "The bill is due to be debated next month."],
        "quote": ['"We must protect people on the move," an official said.', '"The situation remains worrying," a spokeswoman said.'],
    },
    "es": {
        "countries": ["Marruecos", "España", "Francia", "Las autoridades argelinas", "Senegal", "Túnez", "Italia"],
        "bodies": ["La Organización Internacional para las Migraciones", "ACNUR", "Frontex", "La Unión Europea", "La Cruz Roja",
                   "La Unión Africana", "La OIM"],
        "actors": ["El Gobierno", "El Ministerio del Interior", "Una ONG local", "Salvamento Marítimo", "El ayuntamiento",
                   "Las asociaciones de ayuda", "La oposición", "Los abogados de las familias"],
        "verbs": ["anunció", "denunció", "prevé", "firmó", "presentó", "reclama", "reforzó", "estudia", "financia", "apoya"],
        "objects": ["un nuevo plan de acogida de migrantes", "la cooperación en las fronteras", "medidas para los solicitantes de asilo",
                    "un acuerdo de readmisión", "el Pacto Mundial para la Migración", "la protección de los menores no acompañados",
                    "el retorno voluntario de migrantes", "las condiciones de detención", "los visados de trabajo", "los rescates en el Mediterráneo"],
        "places": ["en Rabat", "en Ceuta", "en Melilla", "en Tánger", "en Nador", "en Madrid", "en Bruselas", "en Dakar", "en Túnez",
                   "en Lampedusa", "en Argel", "en Canarias", "en Ginebra"],
        "fillers": ["según un comunicado", "según fuentes oficiales", "pese a las críticas", "en un contexto tenso", "desde hace varios meses",
                    "por primera vez"],
        "facts": ["Más de {n} personas han sido rescatadas desde principios de año.", "La embarcación transportaba a {n} migrantes, entre ellos mujeres y niños.",
                  "El centro de acogida, previsto para {n} plazas, está saturado.", "Las solicitudes de asilo aumentaron un {n} % en un año.",
                  "Varias familias siguen esperando una respuesta de la administración.", "Los supervivientes fueron trasladados a un hospital."],
        "quote": ["«Debemos proteger a las personas en movimiento», declaró un responsable.", "«La situación sigue siendo preocupante», dijo una portavoz."],
    },
    "ar": {
        "countries": ["المغرب", "إسبانيا", "فرنسا", "تونس", "الجزائر", "إيطاليا"],
        "bodies": ["المنظمة الدولية للهجرة", "المفوضية السامية للأمم المتحدة لشؤون اللاجئين", "الاتحاد الأوروبي", "الاتحاد الإفريقي"],
        "actors": ["الحكومة", "وزارة الداخلية", "جمعية محلية", "خفر السواحل", "السلطات المحلية", "منظمات حقوقية"],
        "verbs": ["أعلنت", "انتقدت", "وقعت", "قدمت", "طالبت", "عززت", "تدرس", "تمول", "تدعم"],
        "objects": ["خطة جديدة لاستقبال المهاجرين", "التعاون في مراقبة الحدود", "إجراءات لطالبي اللجوء", "اتفاقا لإعادة القبول",
                    "الميثاق العالمي للهجرة", "حماية القاصرين غير المصحوبين", "برامج العودة الطوعية", "عمليات الإنقاذ في البحر المتوسط"],
        "places": ["في الرباط", "في سبتة", "في مليلية", "في طنجة", "في الناظور", "في مدريد", "في بروكسل", "في تونس", "في الجزائر"],
        "fillers": ["حسب بلاغ رسمي", "وفق مصادر مطلعة", "رغم الانتقادات", "منذ عدة أشهر", "لأول مرة"],
        "facts": ["تم إنقاذ أكثر من {n} شخصا منذ بداية السنة.", "كان القارب يقل {n} مهاجرا بينهم نساء وأطفال.",
                  "طالبت الجمعيات بتحسين ظروف الاستقبال.", "ما تزال عدة أسر تنتظر ردا من الإدارة.", "نقل الناجون إلى المستشفى لتلقي العلاج."],
        "quote": ["«يجب حماية الأشخاص المتنقلين»، قال مسؤول.", "«الوضع ما يزال مقلقا»، حسب ممثلة المنظمة."],
    },
}
# How much of an article its cast takes: the chances that a sentence's subject is named (else an actor), that it says
# where, and that a sentence is a fact instead. With them an article names 3–5 countries and about 40–60 countries,
# bodies and places per 1,000 words; the real seed names 21 in 517 words (its own single country).
NAMED_SUBJECT, PLACED, FACT = 0.45, 0.5, 0.35


# Places named in about 2% of the French and English articles, each in ~0.2%: words for a
# rare query (bench/search.py), as "Lampedusa" would be in a real archive.
RARE_PLACES = ["Tinzaouaten", "Zouerate", "Nouadhibou", "Tamanrasset", "Ayamonte", "Arguineguin", "Lavrio", "Kalamata", "Assamaka", "Bilbeis"]
RARE = {"fr": "Des migrants ont aussi été signalés à {place}.", "en": "Migrants were also reported near {place}.",
        "es": "También se señalaron migrantes cerca de {place}."}


def cast(rng: random.Random, words: dict) -> dict:
    """The names one article uses: two or three countries, two to four bodies, two or three places."""
    return {"named": rng.sample(words["countries"], rng.randint(2, 3)) + rng.sample(words["bodies"], rng.randint(2, 4)),
            "places": rng.sample(words["places"], rng.randint(2, 3))}


def sentence(rng: random.Random, words: dict, names: dict) -> str:
    """One plausible news sentence."""
    if rng.random() < FACT:
        return rng.choice(words["facts"]).format(n=rng.randint(3, 900))
    subject = rng.choice(names["named"]) if rng.random() < NAMED_SUBJECT else rng.choice(words["actors"])
    parts = [subject, rng.choice(words["verbs"]), rng.choice(words["objects"])]
    if rng.random() < PLACED:
        parts.append(rng.choice(names["places"]))
    if rng.random() < 0.5:
        parts.append(rng.choice(words["fillers"]))
    text = " ".join(parts)
    return (text + ".") if rng.random() > 0.12 else rng.choice(words["quote"])


def paragraph(rng: random.Random, words: dict, names: dict, target: int) -> str:
    out: list[str] = []
    while sum(len(s.split()) for s in out) < target:
        out.append(sentence(rng, words, names))
    return " ".join(out)


def title(rng: random.Random, words: dict, names: dict) -> str:
    while True:
        text = f"{rng.choice(names['named'])} {rng.choice(words['verbs'])} {rng.choice(words['objects'])} {rng.choice(names['places'])}"
        n = len(text.split())
        if 6 <= n <= 16:
            return text
        if n > 16:
            return " ".join(text.split()[:16])


def seed_text(rng: random.Random, index: int) -> tuple[str, str]:
    """The name and text of seed number ``index``."""
    roll = rng.random()
    lang = "fr" if roll < 0.70 else "en" if roll < 0.85 else "es" if roll < 0.92 else "ar"
    words = VOCAB[lang]
    names = cast(rng, words)
    headline = title(rng, words, names)
    day = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange((dt.date(2026, 6, 30) - dt.date(1995, 1, 1)).days))
    total = rng.randint(250, 1500)
    paragraphs: list[str] = []
    while sum(len(p.split()) for p in paragraphs) < total:
        paragraphs.append(paragraph(rng, words, names, rng.randint(40, 120)))
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
