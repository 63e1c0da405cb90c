"""Interface strings in the site's language (``language`` setting), and dates via Babel."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date

# Babel's English default is American ("January 27, 2023"); the archive writes
# dates day-first in every language, as its readers in Europe and Africa do.
DATE_LOCALES = {"en": "en_GB"}

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "period": "From {first} to {last}", "newest_page": "Newest", "oldest_page": "Oldest",
        "search": "Search", "search_label": "Search the archive", "search_intro": "Full text of every article, in every language.", "search_needs_js": "Full-text search needs JavaScript. You can browse the archive instead:", "sort": "Order", "sort_relevance": "Most relevant first", "sort_newest": "Newest first", "sort_oldest": "Oldest first", "filters": "Filters", "more_results": "More results", "searching": "Searching…", "no_results": "No article found for “{q}”.", "one_result": "One article found for “{q}”.", "many_results": "{n} articles found for “{q}”.", "search_failed": "Search could not start. Browse the archive instead.",
        "facet_countries": "Countries", "facet_organizations": "Organisations", "facet_sources": "Sources", "facet_languages": "Languages", "facet_tags": "Tags", "browse": "Browse", "browse_intro": "The archive by country, organisation, source, language and tag.", "coverage": "Coverage", "coverage_intro": "What the archive holds: articles per month, and per country, organisation, source and language.", "articles_per_month": "Articles per month", "related": "Related articles", "cite": "Cite this article", "bibtex": "BibTeX", "feed": "Atom feed", "subscribe": "Follow by feed", "all_values": "All {n}", "data": "Data", "data_intro": "Every article’s metadata, to take away for analysis.", "count": "Articles", "month": "Month", "year": "Year", "total": "Total", "see_table": "The numbers as a table", "in_archive": "{n} in the archive", "from_to": "From {first} to {last}.", "archived_in": "Archived in {site}:", "quote_open": "“", "quote_close": "”", "accessed": "accessed", "original": "Original", "topics": "In this article", "site_feed": "Latest articles (Atom)", "json_feed": "Latest articles (JSON Feed)",
        "skip": "Skip to content", "main_nav": "Main", "latest": "Latest", "timeline": "Timeline",
        "tagline": "An archive of news about migration", "source": "Source:", "read_source": "Read the original on {name}",
        "published": "Published", "language": "Language", "in_timeline": "More from {month}",
        "previous_article": "Older article", "next_article": "Newer article", "article_nav": "Articles before and after",
        "pagination": "Pages", "previous_page": "Newer", "next_page": "Older",
        "timeline_intro": "Every article by year and month.", "not_found": "Page not found",
        "not_found_text": "There is no page at this address. It may have moved, or the link may be mistyped.",
        "go_home": "Go to the latest articles", "go_timeline": "Browse the timeline",
        "year_articles": "Articles of {year}", "no_articles": "No articles yet.", "footer": "Built with Crossings from collected news articles. Each article links to its original source.",
        "articles_one": "{n} article", "articles_other": "{n} articles", "breadcrumb": "Breadcrumb", "home": "Home",
        # stories (#14)
        "stories": "Stories", "story": "Story", "in_story": "Story:", "stories_intro": "Each story gathers the articles that report one incident, across publishers and languages.",
        "story_lede": "{articles} from {outlets} in {languages}.", "first_report": "First report", "last_report": "Last report",
        "stories_per_month": "New stories per month", "largest_stories": "The largest stories", "other_coverage": "Other coverage of this event",
        "whole_story": "The whole story: {articles} from {outlets}", "more_in_story": "{n} more on the story’s page",
        "also_published": "Also published by", "same_text_note": "The same text, carried by several outlets, is listed once.",
        "numbers_reported": "Numbers reported", "measure_dead": "dead", "measure_missing": "missing", "measure_rescued": "rescued",
        "measure_people": "people", "story_search": "Search these articles", "no_stories": "No stories yet.", "all_stories": "All stories",
        "stories_feed": "New stories (Atom)", "story_column": "Story", "outlets_column": "Outlets", "languages_column": "Languages",
        "reports_in": "In {language}", "stories_browse": "Stories: one incident, every publisher and language",
        "outlets_one": "{n} outlet", "outlets_other": "{n} outlets", "languages_one": "{n} language", "languages_other": "{n} languages",
        "stories_one": "{n} story", "stories_other": "{n} stories",
    },
    "fr": {
        "period": "Du {first} au {last}", "newest_page": "Les plus récents", "oldest_page": "Les plus anciens",
        "search": "Rechercher", "search_label": "Rechercher dans l’archive", "search_intro": "Le texte intégral de chaque article, dans toutes les langues.", "search_needs_js": "La recherche plein texte demande JavaScript. Vous pouvez parcourir l’archive :", "sort": "Ordre", "sort_relevance": "Les plus pertinents d’abord", "sort_newest": "Les plus récents d’abord", "sort_oldest": "Les plus anciens d’abord", "filters": "Filtres", "more_results": "Plus de résultats", "searching": "Recherche…", "no_results": "Aucun article trouvé pour « {q} ».", "one_result": "Un article trouvé pour « {q} ».", "many_results": "{n} articles trouvés pour « {q} ».", "search_failed": "La recherche n’a pas pu démarrer. Parcourez l’archive à la place.",
        "facet_countries": "Pays", "facet_organizations": "Organisations", "facet_sources": "Sources", "facet_languages": "Langues", "facet_tags": "Mots-clés", "browse": "Parcourir", "browse_intro": "L’archive par pays, organisation, source, langue et mot-clé.", "coverage": "Couverture", "coverage_intro": "Ce que contient l’archive : articles par mois, par pays, organisation, source et langue.", "articles_per_month": "Articles par mois", "related": "Articles liés", "cite": "Citer cet article", "bibtex": "BibTeX", "feed": "Flux Atom", "subscribe": "Suivre par flux", "all_values": "Les {n}", "data": "Données", "data_intro": "Les métadonnées de chaque article, à emporter pour l’analyse.", "count": "Articles", "month": "Mois", "year": "Année", "total": "Total", "see_table": "Les chiffres sous forme de tableau", "in_archive": "{n} dans l’archive", "from_to": "Du {first} au {last}.", "archived_in": "Archivé dans {site} :", "quote_open": "« ", "quote_close": " »", "accessed": "consulté le", "original": "Original", "topics": "Dans cet article", "site_feed": "Derniers articles (Atom)", "json_feed": "Derniers articles (JSON Feed)",
        "skip": "Aller au contenu", "main_nav": "Principale", "latest": "Derniers articles", "timeline": "Chronologie",
        "tagline": "Une archive de l’actualité des migrations", "source": "Source :", "read_source": "Lire l’original sur {name}",
        "published": "Publié le", "language": "Langue", "in_timeline": "Plus d’articles de {month}",
        "previous_article": "Article précédent", "next_article": "Article suivant", "article_nav": "Articles avant et après",
        "pagination": "Pages", "previous_page": "Plus récents", "next_page": "Plus anciens",
        "timeline_intro": "Tous les articles, par année et par mois.", "not_found": "Page introuvable",
        "not_found_text": "Il n’y a pas de page à cette adresse. Elle a peut-être été déplacée, ou le lien contient une faute de frappe.",
        "go_home": "Voir les derniers articles", "go_timeline": "Parcourir la chronologie",
        "year_articles": "Les articles de {year}", "no_articles": "Pas encore d’articles.", "footer": "Réalisé avec Crossings à partir d’articles de presse collectés. Chaque article renvoie à sa source originale.",
        "articles_one": "{n} article", "articles_other": "{n} articles", "breadcrumb": "Fil d’Ariane", "home": "Accueil",
        # stories (#14)
        "stories": "Événements", "story": "Événement", "in_story": "Événement :", "stories_intro": "Chaque événement réunit les articles qui rapportent un même fait, toutes sources et toutes langues confondues.",
        "story_lede": "{articles} de {outlets} en {languages}.", "first_report": "Premier article", "last_report": "Dernier article",
        "stories_per_month": "Nouveaux événements par mois", "largest_stories": "Les événements les plus couverts", "other_coverage": "Autres articles sur cet événement",
        "whole_story": "Tout l’événement : {articles} de {outlets}", "more_in_story": "{n} de plus sur la page de l’événement",
        "also_published": "Publié aussi par", "same_text_note": "Un même texte repris par plusieurs sources n’est présenté qu’une fois.",
        "numbers_reported": "Chiffres rapportés", "measure_dead": "morts", "measure_missing": "disparus", "measure_rescued": "secourus",
        "measure_people": "personnes", "story_search": "Rechercher dans ces articles", "no_stories": "Pas encore d’événements.", "all_stories": "Tous les événements",
        "stories_feed": "Nouveaux événements (Atom)", "story_column": "Événement", "outlets_column": "Sources", "languages_column": "Langues",
        "reports_in": "En {language}", "stories_browse": "Événements : un même fait, toutes sources et toutes langues",
        "outlets_one": "{n} source", "outlets_other": "{n} sources", "languages_one": "{n} langue", "languages_other": "{n} langues",
        "stories_one": "{n} événement", "stories_other": "{n} événements",
    },
    "es": {
        "period": "Del {first} al {last}", "newest_page": "Los más recientes", "oldest_page": "Los más antiguos",
        "search": "Buscar", "search_label": "Buscar en el archivo", "search_intro": "El texto completo de cada artículo, en todos los idiomas.", "search_needs_js": "La búsqueda de texto completo necesita JavaScript. Puede explorar el archivo:", "sort": "Orden", "sort_relevance": "Más pertinentes primero", "sort_newest": "Más recientes primero", "sort_oldest": "Más antiguos primero", "filters": "Filtros", "more_results": "Más resultados", "searching": "Buscando…", "no_results": "Ningún artículo para «{q}».", "one_result": "Un artículo para «{q}».", "many_results": "{n} artículos para «{q}».", "search_failed": "La búsqueda no pudo iniciarse. Explore el archivo.",
        "facet_countries": "Países", "facet_organizations": "Organizaciones", "facet_sources": "Fuentes", "facet_languages": "Idiomas", "facet_tags": "Etiquetas", "browse": "Explorar", "browse_intro": "El archivo por país, organización, fuente, idioma y etiqueta.", "coverage": "Cobertura", "coverage_intro": "Lo que contiene el archivo: artículos por mes, por país, organización, fuente e idioma.", "articles_per_month": "Artículos por mes", "related": "Artículos relacionados", "cite": "Citar este artículo", "bibtex": "BibTeX", "feed": "Canal Atom", "subscribe": "Seguir por canal", "all_values": "Los {n}", "data": "Datos", "data_intro": "Los metadatos de cada artículo, para llevarlos y analizarlos.", "count": "Artículos", "month": "Mes", "year": "Año", "total": "Total", "see_table": "Las cifras en una tabla", "in_archive": "{n} en el archivo", "from_to": "Del {first} al {last}.", "archived_in": "Archivado en {site}:", "quote_open": "«", "quote_close": "»", "accessed": "consultado el", "original": "Original", "topics": "En este artículo", "site_feed": "Últimos artículos (Atom)", "json_feed": "Últimos artículos (JSON Feed)",
        "skip": "Ir al contenido", "main_nav": "Principal", "latest": "Últimos artículos", "timeline": "Cronología",
        "tagline": "Un archivo de noticias sobre migración", "source": "Fuente:", "read_source": "Leer el original en {name}",
        "published": "Publicado el", "language": "Idioma", "in_timeline": "Más de {month}",
        "previous_article": "Artículo anterior", "next_article": "Artículo siguiente", "article_nav": "Artículos anteriores y siguientes",
        "pagination": "Páginas", "previous_page": "Más recientes", "next_page": "Más antiguos",
        "timeline_intro": "Todos los artículos por año y mes.", "not_found": "Página no encontrada",
        "not_found_text": "No hay ninguna página en esta dirección. Puede que se haya movido o que el enlace tenga un error.",
        "go_home": "Ver los últimos artículos", "go_timeline": "Recorrer la cronología",
        "year_articles": "Artículos de {year}", "no_articles": "Todavía no hay artículos.", "footer": "Hecho con Crossings a partir de noticias recopiladas. Cada artículo enlaza con su fuente original.",
        "articles_one": "{n} artículo", "articles_other": "{n} artículos", "breadcrumb": "Ruta de navegación", "home": "Inicio",
        # stories (#14)
        "stories": "Acontecimientos", "story": "Acontecimiento", "in_story": "Acontecimiento:", "stories_intro": "Cada acontecimiento reúne los artículos que informan de un mismo hecho, de todas las fuentes y en todos los idiomas.",
        "story_lede": "{articles} de {outlets} en {languages}.", "first_report": "Primer artículo", "last_report": "Último artículo",
        "stories_per_month": "Nuevos acontecimientos por mes", "largest_stories": "Los acontecimientos más cubiertos", "other_coverage": "Otros artículos sobre este acontecimiento",
        "whole_story": "Todo el acontecimiento: {articles} de {outlets}", "more_in_story": "{n} más en la página del acontecimiento",
        "also_published": "Publicado también por", "same_text_note": "Un mismo texto publicado por varias fuentes aparece una sola vez.",
        "numbers_reported": "Cifras publicadas", "measure_dead": "muertos", "measure_missing": "desaparecidos", "measure_rescued": "rescatados",
        "measure_people": "personas", "story_search": "Buscar en estos artículos", "no_stories": "Todavía no hay acontecimientos.", "all_stories": "Todos los acontecimientos",
        "stories_feed": "Nuevos acontecimientos (Atom)", "story_column": "Acontecimiento", "outlets_column": "Fuentes", "languages_column": "Idiomas",
        "reports_in": "En {language}", "stories_browse": "Acontecimientos: un mismo hecho, todas las fuentes y todos los idiomas",
        "outlets_one": "{n} fuente", "outlets_other": "{n} fuentes", "languages_one": "{n} idioma", "languages_other": "{n} idiomas",
        "stories_one": "{n} acontecimiento", "stories_other": "{n} acontecimientos",
    },
    "ar": {
        "period": "من {first} إلى {last}", "newest_page": "الأحدث", "oldest_page": "الأقدم",
        "search": "بحث", "search_label": "البحث في الأرشيف", "search_intro": "النص الكامل لكل مقال، بجميع اللغات.", "search_needs_js": "يتطلب البحث في النص الكامل JavaScript. يمكنك تصفح الأرشيف:", "sort": "الترتيب", "sort_relevance": "الأكثر صلة أولا", "sort_newest": "الأحدث أولا", "sort_oldest": "الأقدم أولا", "filters": "عوامل التصفية", "more_results": "مزيد من النتائج", "searching": "جارٍ البحث…", "no_results": "لا توجد مقالات لـ «{q}».", "one_result": "مقال واحد لـ «{q}».", "many_results": "{n} مقالات لـ «{q}».", "search_failed": "تعذر بدء البحث. تصفح الأرشيف بدلا من ذلك.",
        "facet_countries": "البلدان", "facet_organizations": "المنظمات", "facet_sources": "المصادر", "facet_languages": "اللغات", "facet_tags": "الوسوم", "browse": "تصفح", "browse_intro": "الأرشيف حسب البلد والمنظمة والمصدر واللغة والوسم.", "coverage": "التغطية", "coverage_intro": "ما يحتويه الأرشيف: المقالات حسب الشهر والبلد والمنظمة والمصدر واللغة.", "articles_per_month": "المقالات حسب الشهر", "related": "مقالات ذات صلة", "cite": "الاستشهاد بهذا المقال", "bibtex": "BibTeX", "feed": "موجز Atom", "subscribe": "المتابعة عبر الموجز", "all_values": "جميع القيم ({n})", "data": "البيانات", "data_intro": "البيانات الوصفية لكل مقال، للتحليل.", "count": "المقالات", "month": "الشهر", "year": "السنة", "total": "المجموع", "see_table": "الأرقام في جدول", "in_archive": "{n} في الأرشيف", "from_to": "من {first} إلى {last}.", "archived_in": "مؤرشف في {site}:", "quote_open": "«", "quote_close": "»", "accessed": "تاريخ الاطلاع", "original": "الأصل", "topics": "في هذا المقال", "site_feed": "أحدث المقالات (Atom)", "json_feed": "أحدث المقالات (JSON Feed)",
        "skip": "انتقل إلى المحتوى", "main_nav": "الرئيسية", "latest": "أحدث المقالات", "timeline": "التسلسل الزمني",
        "tagline": "أرشيف لأخبار الهجرة", "source": "المصدر:", "read_source": "اقرأ الأصل على {name}",
        "published": "نُشر في", "language": "اللغة", "in_timeline": "المزيد من {month}",
        "previous_article": "المقال السابق", "next_article": "المقال التالي", "article_nav": "المقالات السابقة والتالية",
        "pagination": "الصفحات", "previous_page": "الأحدث", "next_page": "الأقدم",
        "timeline_intro": "جميع المقالات حسب السنة والشهر.", "not_found": "الصفحة غير موجودة",
        "not_found_text": "لا توجد صفحة بهذا العنوان. ربما نُقلت أو أن الرابط يحتوي على خطأ.",
        "go_home": "عرض أحدث المقالات", "go_timeline": "تصفح التسلسل الزمني",
        "year_articles": "مقالات {year}", "no_articles": "لا توجد مقالات بعد.", "footer": "أُنشئ باستخدام Crossings من مقالات إخبارية مجمّعة. يحيل كل مقال إلى مصدره الأصلي.",
        "articles_zero": "لا مقالات", "articles_one": "مقال واحد", "articles_two": "مقالان", "articles_few": "{n} مقالات",
        "articles_many": "{n} مقالًا", "articles_other": "{n} مقال", "breadcrumb": "مسار التنقل", "home": "الرئيسية",
        # stories (#14)
        "stories": "الأحداث", "story": "الحدث", "in_story": "الحدث:", "stories_intro": "يجمع كل حدث المقالات التي تتناول واقعة واحدة، من جميع المصادر وبجميع اللغات.",
        "story_lede": "{articles} من {outlets}، {languages}.", "first_report": "أول مقال", "last_report": "آخر مقال",
        "stories_per_month": "الأحداث الجديدة حسب الشهر", "largest_stories": "الأحداث الأكثر تغطية", "other_coverage": "تغطيات أخرى لهذا الحدث",
        "whole_story": "الحدث كاملا: {articles} من {outlets}", "more_in_story": "{n} أخرى في صفحة الحدث",
        "also_published": "نُشر أيضا في", "same_text_note": "النص الواحد الذي تنشره عدة مصادر يُعرض مرة واحدة.",
        "numbers_reported": "الأرقام المنشورة", "measure_dead": "القتلى", "measure_missing": "المفقودون", "measure_rescued": "الناجون",
        "measure_people": "الأشخاص", "story_search": "البحث في هذه المقالات", "no_stories": "لا توجد أحداث بعد.", "all_stories": "جميع الأحداث",
        "stories_feed": "الأحداث الجديدة (Atom)", "story_column": "الحدث", "outlets_column": "المصادر", "languages_column": "اللغات",
        "reports_in": "باللغة {language}", "stories_browse": "الأحداث: واقعة واحدة من جميع المصادر وبجميع اللغات",
        "outlets_zero": "لا مصادر", "outlets_one": "مصدر واحد", "outlets_two": "مصدران", "outlets_few": "{n} مصادر", "outlets_many": "{n} مصدرًا", "outlets_other": "{n} مصدر",
        "languages_zero": "لا لغات", "languages_one": "لغة واحدة", "languages_two": "لغتين", "languages_few": "{n} لغات", "languages_many": "{n} لغة", "languages_other": "{n} لغة",
        "stories_zero": "لا أحداث", "stories_one": "حدث واحد", "stories_two": "حدثان", "stories_few": "{n} أحداث", "stories_many": "{n} حدثًا", "stories_other": "{n} حدث",
    },
}


def strings(language: str) -> dict[str, str]:
    """The interface strings for ``language``, falling back to English for any missing one."""
    return {**STRINGS["en"], **STRINGS.get(language, {})}


@lru_cache(maxsize=4096)
def format_date(value: str | dt.date, language: str, style: str = "long") -> str:
    """Write a date out in ``language``: ``27 janvier 2023``, ``27 January 2023``, ``27 de enero de 2023``."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return babel_format_date(value, style, locale=DATE_LOCALES.get(language, language))


@lru_cache(maxsize=1024)
def month_name(year: int, month: int, language: str, width: str = "wide") -> str:
    """``janvier 2023`` (with the year) or, for width 'abbreviated', ``janv.``."""
    locale = Locale.parse(DATE_LOCALES.get(language, language))
    if width == "abbreviated":
        return locale.months["stand-alone"]["abbreviated"][month]
    name = locale.months["stand-alone"]["wide"][month]
    return f"{name} {year}"


@lru_cache(maxsize=256)
def language_name(code: str, language: str) -> str:
    """The name of language ``code`` in ``language`` (``arabe`` for ar in French)."""
    name = Locale.parse(code).get_display_name(language) or code
    return name[:1].upper() + name[1:] if language not in ("ar",) else name


def plural(key: str, n: int, language: str) -> str:
    """A counted phrase with the plural form CLDR gives for ``n`` in ``language``."""
    table = strings(language)
    form = Locale.parse(language).plural_form(n)
    template = table.get(f"{key}_{form}") or table[f"{key}_other"]
    return template.format(n=n)


def is_language(code: str) -> bool:
    """Tell whether ``code`` is a two-letter language code Babel knows."""
    if not re.fullmatch(r"[a-z]{2}", code):
        return False
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return False
    return True
