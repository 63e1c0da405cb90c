"""The context rules of entities.toml, each in French, English, Spanish and Arabic, on small real sentences.

Cities standing for institutions, people's names that are countries, treaties named
after places, forms CLDR lacks, the order of salience, and acronyms that are also
words; then the import re-tagging unedited articles when entities.toml changes.
"""

from __future__ import annotations

import re

import pytest

from crossings import entities

from .conftest import REPO, Project


@pytest.fixture(scope="module")
def found() -> entities.Entities:
    loaded, problems = entities.load(REPO / "entities.toml")
    assert problems == []
    return loaded


def check(found: entities.Entities, text: str, countries: list[str], organizations: list[str]) -> None:
    assert found.find(text) == (countries, organizations), text


# 1. A city standing for an institution -------------------------------------------------

@pytest.mark.parametrize(("text", "countries", "organizations"), [
    # Brussels: the EU, unless the text is about the city (a park, the police, a demonstration) or Belgium itself
    ("Bruxelles a débloqué 20 millions d'euros pour la Tunisie.", ["TN"], ["EU"]),
    ("After weeks of talks in Brussels, officials signed a deal with Tunisia.", ["TN"], ["EU"]),
    ("Bruselas pide a Italia más controles en sus fronteras.", ["IT"], ["EU"]),
    ("بروكسل تعلن عن دعم جديد لتونس", ["TN"], ["EU"]),
    ("Des centaines de demandeurs d'asile dorment au parc Maximilien, à Bruxelles.", ["BE"], []),
    ("Police cleared a squat in Brussels on Monday.", ["BE"], []),
    ("Manifestación en Bruselas contra las expulsiones.", ["BE"], []),
    ("مظاهرة في بروكسل ضد ترحيل المهاجرين", ["BE"], []),
    ("Le gouvernement belge a réuni les maires à Bruxelles.", ["BE"], []),
    ("Des exilés dorment à la gare de Bruxelles-Midi.", ["BE"], []),
    # Geneva: nothing but the agency named
    ("S'exprimant à Genève, une porte-parole du HCR a alerté sur le Soudan.", ["SD"], ["UNHCR"]),
    ("Speaking in Geneva, an IOM spokesperson said arrivals were falling.", [], ["IOM"]),
    ("ACNUR alertó desde Ginebra de la falta de fondos.", [], ["UNHCR"]),
    ("قال متحدث باسم المنظمة الدولية للهجرة في جنيف إن الوضع خطير", [], ["IOM"]),
    ("Manifestation à Genève contre les renvois vers l'Érythrée.", ["CH", "ER"], []),
    # Strasbourg: the European Parliament, the Council of Europe or the Court, by the words near it
    ("Les eurodéputés ont voté le pacte à Strasbourg.", [], ["EP"]),
    ("The Strasbourg court ruled against Greece.", ["GR"], ["ECtHR"]),
    ("Estrasburgo condena a Grecia por una devolución en caliente.", ["GR"], ["ECtHR"]),
    ("المحكمة في ستراسبورغ تدين اليونان", ["GR"], ["ECtHR"]),
    ("Strasbourg adopte la réforme.\n\nLes eurodéputés l'ont approuvée mercredi.", [], ["EP"]),  # a cue anywhere in the article
    ("Trois migrants dorment depuis une semaine à la gare de Strasbourg.", ["FR"], []),
    # Luxembourg: the country, or the Court or the Council of the EU
    ("Le Luxembourg accueillera 50 réfugiés afghans.", ["LU", "AF"], []),
    ("Les juges de Luxembourg ont donné raison à la Commission européenne.", [], ["CJEU", "EC"]),
    ("EU interior ministers meeting in Luxembourg agreed on the reform.", [], ["EU", "EUCouncil"]),
    ("El Tribunal de Luxemburgo falla contra Hungría.", ["HU"], ["CJEU"]),
    ("Luxembourg condamne la Hongrie.\n\nLa Cour de justice de l'Union européenne estime que Budapest a failli.", ["HU"], ["CJEU"]),
    # The Hague: the court named near it
    ("À La Haye, le procureur de la Cour pénale internationale enquête sur la Libye.", ["LY"], ["ICC"]),
    ("Judges at the ICJ in The Hague heard Gambia's case.", ["GM"], ["ICJ"]),
    ("La Haya: la Corte Penal Internacional abre una investigación.", [], ["ICC"]),
    ("محكمة العدل الدولية في لاهاي تستمع إلى المرافعات", [], ["ICJ"]),
    ("Thousands march in The Hague against Dutch asylum cuts.", ["NL"], []),
    # New York: the UN, unless the city itself
    ("À New York, l'Assemblée générale a adopté une résolution.", [], ["UN"]),
    ("A pledging conference in New York raised $800 million.", [], ["UN"]),
    ("La conferencia de Nueva York recaudó 800 millones.", [], ["UN"]),
    ("مؤتمر المانحين في نيويورك", [], ["UN"]),
    ("New York City shelters are full, the mayor said.", ["US"], []),
])
def test_institution_places(found: entities.Entities, text: str, countries: list[str], organizations: list[str]) -> None:
    check(found, text, countries, organizations)


# 2. People's names that are countries or demonyms --------------------------------------

@pytest.mark.parametrize(("text", "countries", "organizations"), [
    ("François Hollande a visité Calais.", ["FR"], []),
    ("Le président Hollande a promis d'accueillir 30 000 réfugiés.", [], []),
    ("François Hollande s'est exprimé hier.\n\nHollande a promis une loi.", [], []),  # the bare name later is the person too
    ("Il a émigré en Hollande en 1990.", ["NL"], []),
    ("Jordan Bardella veut restreindre le regroupement familial.", [], []),
    ("President Hollande said France would take more refugees.", ["FR"], []),
    ("Texas sheriff Chad Whitaker said the jail was full.", ["US"], []),
    ("Chad Whitaker said most detainees came from Venezuela.", ["VE"], []),
    ("Chad and Sudan signed a border agreement.", ["TD", "SD"], []),
    ("Israel Mensah, a nurse from Ghana, arrived in 2019.", ["GH"], []),
    ("Libia Ramírez dirige un albergue en Tapachula.", ["MX"], []),
    ("Libia y Túnez firmaron un acuerdo.", ["LY", "TN"], []),
    ("La vicepresidenta Francia Márquez visitó la frontera con Venezuela.", ["VE"], []),
    ("el expresidente Hollande visitó Madrid", ["ES"], []),
    ("جورجيا ميلوني تدافع عن الاتفاق مع ألبانيا", ["AL"], []),
    ("جورجيا وأرمينيا توقعان اتفاقا", ["GE", "AM"], []),
    ("قال ممثل المفوضية سامي المغربي إن المركز جاهز", [], []),
    ("أعلن الجيش المغربي إحباط محاولة هجرة", ["MA"], []),
    ("قال وزير الداخلية المصري إن الحدود مؤمنة", ["EG"], []),
    ("التقى الوزير نظيره الموريتاني في نواكشوط", ["MR"], []),  # "his counterpart": no first name
])
def test_people(found: entities.Entities, text: str, countries: list[str], organizations: list[str]) -> None:
    check(found, text, countries, organizations)


# 3. Treaties, processes and summits named after a place --------------------------------

@pytest.mark.parametrize(("text", "countries", "organizations"), [
    ("Le Pacte de Marrakech a cinq ans.", [], []),
    ("Le Pacte de Marrakech a été adopté en décembre 2018 à Marrakech.", ["MA"], []),  # something happened there
    ("Le Processus de Rabat et le sommet de La Valette ont fixé des objectifs.", [], []),
    ("Le règlement de Dublin et l'espace Schengen sont en cause.", [], []),
    ("Près de 300 personnes secourues dans le détroit de Gibraltar.", [], []),
    ("Gibraltar a fermé sa frontière.", ["GI"], []),
    ("The Marrakech Compact and the Khartoum Process were discussed.", [], []),
    ("Georgia peach growers need workers\n\nFarms across the state hire from Mexico.", ["US", "MX"], []),  # a US state
    ("Georgia and Moldova received EU candidate status.", ["GE", "MD"], ["EU"]),
    ("Dans l'État américain de Géorgie, les fermes manquent de bras.", ["US"], []),
    ("The Marrakesh Compact, the Valletta Summit, the Budapest Process and the Dublin Regulation.", [], []),
    ("A boat sank in the Strait of Gibraltar.", [], []),
    ("El Proceso de Rabat reúne en Madrid a 30 países.", ["ES"], []),
    ("El Reglamento de Dublín y el Pacto de Marrakech.", [], []),
    ("Naufraga una patera en el estrecho de Gibraltar.", [], []),
    ("ميثاق مراكش ومسلسل الرباط وعملية الخرطوم", [], []),
    ("عملية الرباط تجتمع في القاهرة", ["EG"], []),
    ("غرق قارب في مضيق جبل طارق", [], []),
])
def test_names_after_places(found: entities.Entities, text: str, countries: list[str], organizations: list[str]) -> None:
    check(found, text, countries, organizations)


# 4. Forms CLDR lacks -------------------------------------------------------------------

@pytest.mark.parametrize(("text", "countries"), [
    ("La Tchéquie, la République tchèque et les autorités tchèques.", ["CZ"]),
    ("Czechia, the Czech Republic and Czech officials.", ["CZ"]),
    ("Chequia y el Gobierno checo.", ["CZ"]),
    ("التشيك والحكومة التشيكية", ["CZ"]),
    ("Chassées de Palestine en 1948.", ["PS"]),
    ("Refugees from Palestine and the State of Palestine.", ["PS"]),
    ("Refugiados de Palestina.", ["PS"]),
    ("اللاجئين القادمين من فلسطين", ["PS"]),
    ("Un cargo sous pavillon portugais.", ["PT"]),
    ("A Portuguese-flagged freighter.", ["PT"]),
    ("Las patrulleras portuguesas.", ["PT"]),
    ("سفينة ترفع العلم البرتغالي", ["PT"]),
    ("Des migrants maliens et des garde-côtes libyens.", ["ML", "LY"]),
    ("Malian survivors and the Libyan coast guard.", ["ML", "LY"]),
    ("Supervivientes malienses y guardacostas libios.", ["ML", "LY"]),
    ("مهاجرين من مالي وصلوا إلى ليبيا ثم لليبيا", ["LY", "ML"]),
    ("الحكومة الليبية وجمهورية مالي", ["LY", "ML"]),
    ("ماليين وسودانيين", ["ML", "SD"]),
    ("دعم مالي جديد وتمويل مالي", []),  # "financial"
    ("آلاف الماليين عبروا الحدود", ["ML"]),
    ("قال المحللون الماليون إن التحويلات تراجعت", []),  # "the financial analysts"
    ("Des Tchadiens, des Burkinabè et des Yéménites.", ["TD", "BF", "YE"]),
])
def test_forms_cldr_lacks(found: entities.Entities, text: str, countries: list[str]) -> None:
    check(found, text, countries, [])


# 5. Salience: title, then first paragraph, then mentions, then first mention ------------

@pytest.mark.parametrize(("text", "countries"), [
    ("Le Maroc renforce ses contrôles\n\nL'Espagne, l'Espagne et encore l'Espagne.", ["MA", "ES"]),
    ("Un bateau chavire\n\nIl était parti du Sénégal.\n\nL'Espagne, l'Espagne, l'Espagne.", ["SN", "ES"]),
    ("A boat capsized\n\nIt had left Senegal for Spain.\n\nSpain, Spain, Spain.", ["ES", "SN"]),
    ("Una patera llega\n\nSalió de Marruecos hacia España.", ["MA", "ES"]),  # a tie: the first mention
    ("وصول قارب\n\nانطلق من ليبيا نحو إيطاليا. إيطاليا تطلب الدعم.", ["IT", "LY"]),
])
def test_countries_are_ordered_by_salience(found: entities.Entities, text: str, countries: list[str]) -> None:
    assert found.find(text)[0] == countries


def test_organisations_are_ordered_by_salience_too(found: entities.Entities) -> None:
    text = "Frontex publie ses chiffres\n\nSelon l'OIM et le HCR, puis l'OIM encore, les arrivées baissent."
    assert found.find(text)[1] == ["Frontex", "IOM", "UNHCR"]


# 6. Acronyms and names that are also ordinary words or other bodies ----------------------

@pytest.mark.parametrize(("text", "countries", "organizations"), [
    ("UN CHALUTIER SECOURT 40 MIGRANTS AU LARGE DE SFAX", ["TN"], []),
    ("L'OIM ALERTE SUR LA ROUTE ATLANTIQUE", [], ["IOM"]),  # an acronym that is no word counts among capitals
    ("UN AGENCY WARNS OF RECORD DEATHS IN THE MEDITERRANEAN", [], ["UN"]),  # an English headline's UN, by the word after it
    ("Le PAM réduit les rations au Tchad.", ["TD"], ["WFP"]),
    ("Le PAM, parti de la majorité, a remporté les élections.", [], []),
    ("Les envois de fonds dépassent l'aide dans les PMA, les pays les moins avancés.", [], []),
    ("La Croix-Rouge italienne a accueilli les rescapés.", ["IT"], []),  # a national society
    ("Selon la Croix-Rouge, 40 personnes ont été soignées.", [], []),  # a bare Red Cross: a national society, as every labelled set says
    ("The UN and the AU met in Addis Ababa.", ["ET"], ["UN", "AU"]),
    ("The International Commission of Jurists (ICJ) criticised the centres.", [], []),
    ("CPI inflation rose to 4% in March.", [], []),
    ("Spain weighs an amnesty, Human Rights Watch says.", ["ES"], ["HRW"]),
    ("Amnesty International says Greece must investigate.", ["GR"], ["Amnesty"]),
    ("The town welcomed migrants with open arms.", [], []),
    ("El PMA y UNICEF advierten de una hambruna en Gaza.", ["PS"], ["WFP", "UNICEF"]),
    ("Un estudio de la UA, la Universidad de Alicante, sobre las pateras.", ["ES"], []),
    ("La UA y la UE firmaron un acuerdo.", [], ["AU", "EU"]),
    ("La CNDH de México pide investigar el incendio.", ["MX"], []),
    ("La UNRWA y la ONU piden fondos para Gaza.", ["PS"], ["UN"]),  # a UN body not listed on its own is the UN
    ("Le CNDH publie un rapport sur les migrants au Maroc.", ["MA"], ["CNDH"]),
    ("قالت اللجنة الدولية للصليب الأحمر إن المرحلين تركوا في الصحراء", [], ["ICRC"]),
    ("الهلال الأحمر التونسي ينقذ مهاجرين", ["TN"], []),
    ("مركز جديد في عمان، العاصمة الأردنية", ["JO"], []),
    ("بعد صلاة المغرب خرج المهاجرون من المغرب", ["MA"], []),  # the sunset prayer, then Morocco
    ("وصل المهاجرون إلى سلطنة عمان", ["OM"], []),
])
def test_acronyms_and_words(found: entities.Entities, text: str, countries: list[str], organizations: list[str]) -> None:
    check(found, text, countries, organizations)


def test_a_country_inside_an_organisations_name_counts(found: entities.Entities) -> None:
    assert found.find("L'Association marocaine des droits humains dénonce les refoulements.") == (["MA"], ["AMDH"])
    assert found.find("La Guardia Civil a secouru 40 personnes.") == ([], ["GuardiaCivil"])


def test_an_unknown_id_is_reported_and_its_entry_left_out(tmp_path) -> None:
    data = (REPO / "entities.toml").read_text(encoding="utf-8").replace('means = "EU"\ncountry_cues', 'means = "EUU"\ncountry_cues', 1)
    (tmp_path / "entities.toml").write_text(data, encoding="utf-8")
    loaded, problems = entities.load(tmp_path / "entities.toml")
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'entities.toml'}: warning: [[institution_places]] #1 (Bruxelles): unknown id 'EUU' (entry left out)"
        " — use an ISO 3166-1 code such as BE, an id defined under [organizations], \"country\" or \"\""]
    assert loaded.find("Bruxelles a débloqué 20 millions.") == ([], [])


# Editing entities.toml re-tags the articles nobody edited ------------------------------

SEED = """Bruxelles débloque 210 millions d'euros pour la Mauritanie

12.02.2024 Bruxelles débloque 210 millions d'euros pour la Mauritanie

L'enveloppe, annoncée mardi, doit financer la surveillance des côtes. Nouakchott s'engage à freiner les départs vers les Canaries.

Source

:
<https://www.example-news.fr/{n}>
"""


def front(path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    return dict(re.findall(r"^(countries|organizations): (.*)$", text, re.M))


def test_editing_entities_toml_retags_unedited_articles(project: Project) -> None:
    project.add_seed("001_aaaaaaaaaaaaaaaa.txt", SEED.format(n=1))
    project.add_seed("002_bbbbbbbbbbbbbbbb.txt", SEED.format(n=2).replace("Bruxelles débloque", "Bruxelles accorde"))
    assert project.run("import")[0] == 0
    first, second = sorted(project.content.rglob("*.md"))
    assert front(first) == front(second) == {"countries": "[MR, ES]", "organizations": "[EU]"}
    edited = second.read_text(encoding="utf-8").replace("organizations: [EU]", "organizations: [EU, EC]")
    second.write_text(edited, encoding="utf-8")

    data = project.root / "entities.toml"
    data.write_text(data.read_text(encoding="utf-8").replace('means = "EU"\ncountry_cues', 'means = "country"\ncountry_cues', 1), encoding="utf-8")
    status, out, _ = project.run("import")
    assert status == 0 and out.startswith("import: 1 imported, 1 skipped (0 unchanged, 1 edited, 0 duplicate)")
    assert front(first) == {"countries": "[MR, BE, ES]", "organizations": "[]"}  # Brussels is now Belgium: re-tagged
    assert second.read_text(encoding="utf-8") == edited  # the editor's corrections are kept


@pytest.mark.parametrize(("text", "countries", "organizations"), [
    # a name after a place matches with its first word in lower case too
    ("Les ministres relancent le processus de Rabat à Abuja.", ["NG"], []),
    ("Los países firmaron el acuerdo de Cotonú hace años.", [], []),
    # the Spanish of the Americas: EU after a preposition is the United States
    ("Deportan desde EU a 300 guatemaltecos.", ["US", "GT"], []),
    ("La UE negocia con Túnez.", ["TN"], ["EU"]),
    ("The EU and Tunisia signed.", ["TN"], ["EU"]),
    # the US state, decided by the rest of the article
    ("Des Camerounais détenus en Géorgie.\n\nLe centre se trouve dans le sud-est des États-Unis.", ["US", "CM"], []),
    ("Des Géorgiens arrivent en Géorgie.\n\nTbilissi proteste.", ["GE"], []),
    ("مداهمة في ولاية جورجيا", ["US"], []),
    # an institution's city whose own places are named elsewhere in the article
    ("New York ouvre un centre pour les familles.\n\nLa ville a transformé un hôtel de Manhattan.", ["US"], []),
    ("New York accueille la conférence.\n\nLes États membres ont adopté la déclaration.", [], ["UN"]),
])
def test_rules_from_the_second_set(found: entities.Entities, text: str, countries: list[str], organizations: list[str]) -> None:
    assert found.find(text) == (countries, organizations)


@pytest.mark.parametrize(("text", "countries", "organizations"), [
    # a country or demonym just after a given name is a family name
    ("Detective Inspector Claire Ireland said the gang used dinghies.", [], []),
    ("Advocate Mary French criticised the plan.", [], []),
    ("El alcalde de Jaén, Julio Portugal, pide más medios.", ["ES"], []),
    ("La jueza Carmen Alemán suspende el retorno.", [], []),
    ("Le préfet Hervé Lallemand et Marie, partie en France.", ["FR"], []),  # a given name, then the country: still France
    # acronyms decided by the rest of the article
    ("Dans le secteur HCR, les sans-papiers manifestent.\n\nLes syndicats de l'hôtellerie-restauration les soutiennent.", [], []),
    ("Un étudiant n'a pas validé deux UE.", [], []),
    ("Afghan cricketers fear an ICC qualifier.\n\nThe International Cricket Council did not comment.", ["AF"], []),
    # processes, declarations and seas named after places
    ("Le processus de Rome se réunit à Nouakchott.", ["MR"], []),
    ("The boat capsized in the Gulf of Aden off Djibouti.", ["DJ"], []),
    ("Un an après la déclaration de Grenade, les Vingt-Sept restent divisés.", [], []),
    # the city of a court: its sentence's own words decide
    ("Estrasburgo condena a España por la expulsión de un joven.", ["ES"], ["ECtHR"]),
])
def test_rules_from_the_third_set(found: entities.Entities, text: str, countries: list[str], organizations: list[str]) -> None:
    assert found.find(text) == (countries, organizations)


@pytest.mark.parametrize(("text", "countries", "organizations"), [
    ("Detained asylum seekers in Georgia report overcrowding.\n\nImmigration and Customs Enforcement said the facility was within capacity.", ["US"], []),
    ("Lawyers met Mauritanians and Senegalese held there.", ["MR", "SN"], []),  # English plurals of demonyms in -an
    ("Maroc : le PAM demande un débat.\n\nLe Parti authenticité et modernité s'inquiète.", ["MA"], []),
    ("الجيش يحبط محاولة تهريب من شاطئ طرابلس.\n\nوأوقف مهربا لبنانيا.", ["LB"], []),
    ("Gunfire in Tripoli.\n\nLibya's rival governments blamed each other.", ["LY"], []),
    ("The International Federation of Red Cross and Red Crescent Societies appealed for funds.", [], []),
    ("La Guardia civil intercepta a los nadadores.", [], ["GuardiaCivil"]),
])
def test_rules_from_the_fourth_set(found: entities.Entities, text: str, countries: list[str], organizations: list[str]) -> None:
    assert found.find(text) == (countries, organizations)


@pytest.mark.parametrize(("text", "countries", "organizations"), [
    ("Migrants secourus en mer de Libye, au sud de la Crète.", ["GR"], []),
    ("Habían salido de la costa libia en una barca.", ["LY"], []),
    ("La neumática había salido de Alhucemas.", ["MA"], []),
    ("En Mauritanie, l'AMDH dénonce des refoulements.\n\nL'Association mauritanienne des droits de l'homme cite 500 cas.", ["MR"], []),
    ("L'AMDH dénonce des refoulements à Nador.", ["MA"], ["AMDH"]),
    ("The EU's border agency Frontex reported fewer crossings.", [], ["Frontex"]),
    ("La agencia de la ONU para la infancia atendió a 5.000 menores.", [], ["UNICEF"]),
])
def test_rules_from_the_fifth_set(found: entities.Entities, text: str, countries: list[str], organizations: list[str]) -> None:
    assert found.find(text) == (countries, organizations)


# 7. General rules written before the sixth blind set ------------------------------------

@pytest.mark.parametrize(("text", "countries", "organizations"), [
    # an acronym the article spells out as another body is that body, whatever the acronym
    ("Un estudio de la UA revela que pocos venezolanos obtienen asilo.\n\nInvestigadores de la Universidad de Alicante analizaron 8.000 casos.",
     ["VE", "ES"], []),
    ("A study by AU found that asylum claims take two years.\n\nResearchers at American University reviewed 8,000 cases in Texas.", ["US"], []),
    ("L'OIT publie ses chiffres.\n\nL'Observatoire international du tourisme compte 3 millions de visiteurs en Tunisie.", ["TN"], []),
    ("Refugee players hope for an ICC youth cup.\n\nThe International Cricket Council declined to comment.", [], []),
    ("En Mauritanie, l'AMDH dénonce des refoulements.\n\nL'Association mauritanienne des droits de l'homme cite 500 cas.", ["MR"], []),
    ("The Danish Refugee Council (DRC) runs the camp.", ["DK"], []),  # a country's acronym too
    ("Le Conseil danois pour les réfugiés (DRC) gère le camp.", ["DK"], []),  # in brackets after another name
    ("La République démocratique du Congo (RDC) accueille des réfugiés.", ["CD"], []),
    ("Les Émirats arabes unis (EAU) expulsent des travailleurs.", ["AE"], []),
    # …and the listed body's own spelling keeps it, even one the file does not list
    ("Le Haut Commissariat aux réfugiés (HCR) s'inquiète.", [], ["UNHCR"]),
    ("L'Association marocaine des droits de l'homme (AMDH) dénonce des refoulements à Nador.", ["MA"], ["AMDH"]),
    ("La Organización de las Naciones Unidas (ONU) pidió calma.", [], ["UN"]),
    ("The European Union (EU) and the United Nations (UN) met.", [], ["EU", "UN"]),
    ("En Ukraine, l'UE a accueilli 4 millions de réfugiés.", ["UA"], ["EU"]),  # "En Ukraine" spells nothing
    ("The EU pledged aid to Ethiopia and Uganda.", ["ET", "UG"], ["EU"]),  # nor do two countries
    # "the UN agency" is the agency the article names, else the UN
    ("UNICEF advierte sobre los niños del Darién.\n\nLa agencia de la ONU atendió a 5.000 menores en Panamá.", ["PA"], ["UNICEF"]),
    ("The WFP cut rations in Chad.\n\nThe UN agency said funding had halved.", ["TD"], ["WFP"]),
    ("L'agence de l'ONU a recensé 200 morts en Méditerranée.", [], ["UN"]),
    ("قالت وكالة الأمم المتحدة إن المفوضية السامية لشؤون اللاجئين تحتاج إلى تمويل", [], ["UNHCR"]),
    # the UN's refugee agency, as the UN refugee agency
    ("The UN's refugee agency said 300 people arrived in Greece.", ["GR"], ["UNHCR"]),
    # a bare Red Cross or Red Crescent is a national society; the ICRC has its own names
    ("Red Crescent steps up aid to Syrians.\n\nThe Turkish Red Crescent distributed food parcels.", ["SY", "TR"], []),
    ("La Cruz Roja atendió a 40 personas en el puerto de Algeciras.", ["ES"], []),
    ("La Croix-Rouge du Tchad est débordée.", ["TD"], []),
    ("The Red Cross withdrew from the centre on Nauru.", ["NR"], []),
    ("La Croix-Rouge internationale a visité les centres libyens.", ["LY"], ["ICRC"]),
    ("The International Red Cross visited the camps.", [], ["ICRC"]),
    ("Le CICR a visité les centres libyens.", ["LY"], ["ICRC"]),
    ("يحذر الصليب الأحمر الدولي من تدهور الوضع في السودان.", ["SD"], ["ICRC"]),
    # bodies named like listed ones, and listed ones in lower case
    ("Le Conseil européen pour les réfugiés et exilés critique le pacte.", [], []),
    ("El Consejo Europeo para los Refugiados y Exiliados criticó el pacto.", [], []),
    ("La agencia de asilo de la UE informó de un aumento de solicitudes.", [], ["EUAA"]),
    # Spanish "EU" is the United States in a Spanish article
    ("La ONU pidió a EU frenar las deportaciones, según la agencia.", ["US"], ["UN"]),
    ("EU deportó a 300 guatemaltecos, informó el gobierno.", ["US", "GT"], []),
    # migration hotspots
    ("Llegan 300 migrantes a Necoclí y Cúcuta.", ["CO"], []),
    ("Des milliers de migrants traversent le Darién.", ["PA"], []),
    ("Arrivals at Eagle Pass and McAllen rose.", ["US"], []),
])
def test_general_rules_before_the_sixth_set(found: entities.Entities, text: str, countries: list[str], organizations: list[str]) -> None:
    check(found, text, countries, organizations)


@pytest.mark.parametrize(("text", "countries", "organizations"), [
    # an acronym in brackets after the words it abbreviates, in any case
    ("Ils ont obtenu leurs premières unités d'enseignement (UE) en licence à Grenoble.", ["FR"], []),
    ("Investigadores de la Universidad Autónoma (UA) estudian el caso.", [], []),
    ("Le Haut-Commissariat (HCR) alerte.", [], ["UNHCR"]),
    ("L'agence onusienne chargée des réfugiés (HCR) alerte.", [], ["UNHCR"]),
    # a city standing for an institution is its country when the article names that country and no institution
    ("New York : les familles haïtiennes doivent quitter les refuges.\n\nLa plus grande ville des États-Unis limite les séjours.", ["US", "HT"], []),
    ("New York : réunion sur le pacte mondial.\n\nLe HCR et l'OIM y présenteront un rapport.", [], ["UN", "UNHCR", "IOM"]),
    # the Human Rights Council is the UN's; the UN labour agency is the ILO
    ("Le rapport a été présenté au Conseil des droits de l'homme.", [], ["UN"]),
    ("قدم التقرير إلى مجلس حقوق الإنسان في جنيف", [], ["UN"]),
    ("The ILO welcomed the deal.\n\nThe UN labour agency offered technical support.", [], ["ILO"]),
    # a demonstration in Brussels, in Spanish
    ("Miles de personas se manifiestan en Bruselas contra los recortes.", ["BE"], []),
    # a family name after a given name, whatever the word's own rule
    ("« C'est une tragédie », a déploré Claire Hollande, adjointe au maire.", [], []),
    ("Guadalupe Ríos prepara comida para los migrantes en Veracruz.", ["MX"], []),
    # seas and declarations named after places
    ("Un canot a chaviré en mer Libyenne.", [], []),
    ("Costa Rica to host review of Los Angeles Declaration on migration.", ["CR"], []),
    ("Le Conseil européen pour les réfugiés et les exilés critique le pacte.", [], []),
])
def test_rules_from_the_sixth_set(found: entities.Entities, text: str, countries: list[str], organizations: list[str]) -> None:
    check(found, text, countries, organizations)


@pytest.mark.parametrize(("text", "countries", "organizations"), [
    # the words next to a city of [[institution_places]] before the place cues of its sentence
    ("La corte con sede en Estrasburgo concluye que el joven fue entregado a la policía marroquí.", ["MA"], ["ECtHR"]),
    ("Un centre ouvre à Bastogne, dans la province belge de Luxembourg.", ["BE"], []),
    # Mali listed with Burkina Faso and Niger in Arabic: three countries, none swallowed
    ("انسحاب مالي وبوركينا فاسو والنيجر من المجموعة", ["ML", "BF", "NE"], []),
    ("قال محلل مالي إن الأسعار ارتفعت", [], []),
    # first names and family names
    ("Argentina Delgado, vecina de Los Cristianos, recibe a los que llegan.", ["ES"], []),
    ("El alcalde, Ricardo Alemán, aseguró que los albergues están llenos.", [], []),
    # places named like others
    ("Valencia acoge a 200 refugiados ucranianos.", ["ES", "UA"], []),
    ("Valencia, en el estado Carabobo, recibe a venezolanos retornados.", ["VE"], []),
    ("Migrants camp outside Idomeni, in the Greek region of Macedonia.", ["GR"], []),
    ("La Macédoine du Nord renforce sa frontière.", ["MK"], []),
    ("Raids leave Panama City restaurants short-staffed.\n\nSeveral restaurants in Panama City, Florida, closed.", ["US"], []),
    ("A boat found drifting in the Irish Sea.", [], []),
    ("Un bateau de 37 Srilankais intercepté au large de Broome.", ["LK"], []),
    ("Nearly 30,000 people fled eastern Democratic Republic of Congo.", ["CD"], []),
    ("Growers wait for 40 men from Guanajuato.", ["MX"], []),
])
def test_rules_from_the_seventh_set(found: entities.Entities, text: str, countries: list[str], organizations: list[str]) -> None:
    check(found, text, countries, organizations)


@pytest.mark.parametrize(("text", "countries", "organizations"), [
    # an acronym spelled out with a joining word as one of its letters
    ("Isle of Man seeks nurses.\n\nA spokesperson for the IOM health service said permits would be fast-tracked.", ["IM"], []),
    ("The International Organization for Migration (IOM) said 40 people died.", [], ["IOM"]),
    # "la Commission", "el Consejo" alone: the EU's in an article about the EU, another body when a name follows
    ("Le texte invite la Commission à présenter des propositions. L'UE est divisée.", [], ["EC", "EU"]),
    ("El texto deberá ser aprobado por el Parlamento Europeo y el Consejo.", [], ["EP", "EUCouncil"]),
    ("La Comisión Mexicana de Ayuda a Refugiados atiende a 300 personas.", ["MX"], []),
    ("Kent County Council said the EU rules were unclear.", ["GB"], ["EU"]),
    ("The Commission approved the plan.", [], []),
    # words inside a name that tags nothing are no cue words
    ("Genève : l'OIM supprime 300 postes.\n\nL'Organisation a annoncé depuis son siège genevois une réduction de ses effectifs.", [], ["IOM"]),
    ("Les auditeurs de Luxembourg recommandent à l'UE de mieux contrôler ses partenaires.", [], ["EU"]),
    ("Luxembourg agrees to take in 50 asylum seekers under the EU's mechanism.", ["LU"], ["EU"]),
    # more bodies and places
    ("Spain's maritime rescue service recovered seven bodies off El Hierro.", ["ES"], ["SalvamentoMaritimo"]),
    ("La Agencia Europea de la Guardia de Fronteras y Costas colabora con Mauritania.", ["MR"], ["Frontex"]),
    ("Nurses leave after WHO guidance.\n\nThe World Health Organization lists 55 countries.", [], ["UN"]),
    ("Des agents ont interpellé 97 travailleurs dans une usine de Lebanon, dans le Tennessee.", ["US"], []),
    ("Los migrantes llegan a la provincia argentina de Córdoba.", ["AR"], []),
    ("Son avocate, Me Sofia Benali, a souligné l'erreur de la préfecture.", [], []),
    ("Le texte rappelle le protocole de Dakar de 1979.", [], []),
    ("Le dossier d'un ressortissant moldave.", ["MD"], []),
])
def test_rules_from_the_eighth_set(found: entities.Entities, text: str, countries: list[str], organizations: list[str]) -> None:
    check(found, text, countries, organizations)


@pytest.mark.parametrize(("text", "countries", "organizations"), [
    # streets named after countries
    ("Paris : un squat d'exilés évacué rue du Maroc, dans le 19e.", ["FR"], []),
    ("La calle Argentina, en Madrid, acoge un centro.", ["ES"], []),
    ("À la place de la France, l'Italie a accueilli le navire.", ["FR", "IT"], []),
    ("Migrants protest on the avenue. Morocco says it will respond.", ["MA"], []),
    # a family name after a given name is hers in the rest of the article too
    ("Sarah Holland, head of the council, spoke.\n\nHolland said many had fled Sudan.", ["SD"], []),
    ("Il vit en Hollande depuis 2010. Claire Hollande le confirme.", ["NL"], []),
    # first names
    ("Le tribunal de Liège a relaxé France Dubreuil, 64 ans.", ["BE"], []),
    ("France Travail recrute des réfugiés.", ["FR"], []),
    ("When Kenya Adeyemi began working night shifts in Birmingham, she met Ukrainians.", ["GB", "UA"], []),
    # the Dutch courts of The Hague are the Netherlands
    ("Saisis par le tribunal de district de La Haye, les juges ont statué.", ["NL"], []),
    # places and demonyms
    ("Migrant deaths on railway line in Greek Macedonia.", ["GR"], []),
    ("Keralites working in the UAE sent home a record amount.", ["AE"], []),
    ("La medida afecta a las comunidades boliviana y paraguaya.", ["BO", "PY"], []),
    ("La organización fundada en Badalona denuncia la retención.", ["ES"], []),
    ("Familias de Nueva Italia, en Michoacán, llegaron a Tijuana.", ["MX"], []),
])
def test_rules_from_the_ninth_set(found: entities.Entities, text: str, countries: list[str], organizations: list[str]) -> None:
    check(found, text, countries, organizations)


def test_an_organisation_id_with_a_comma_is_written_so_that_it_reads_back(project: Project) -> None:
    """A list item is quoted when YAML would end it early (',', '?', brackets, braces): before, import wrote
    ``organizations: [EU, Save, the [Children]]``, a file the build then rejected."""
    project.add_seed("001_aaaaaaaaaaaaaaaa.txt", SEED.format(n=1))
    data = project.root / "entities.toml"
    data.write_text(data.read_text(encoding="utf-8") + '\n[organizations."Save, the [Children]"]\nnames = { fr = "Sauvez" }\n'
                    'aliases = ["surveillance des côtes"]\n', encoding="utf-8")
    status, out, err = project.run("build")
    assert status == 0, out + err
    assert front(next(project.content.rglob("*.md")))["organizations"] == '[EU, "Save, the [Children]"]'
    assert "<h1>Sauvez</h1>" in (project.out / "organizations" / "save-the-children" / "index.html").read_text(encoding="utf-8")
