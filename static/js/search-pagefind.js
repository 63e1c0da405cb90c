// Crossings search: Pagefind's indexes, one per period and language, merged here, with
// filters, counts and sorting. Progressive enhancement: without this script the
// search page offers the timeline and the facet pages instead. What a query downloads
// is kept to what it needs: the WebAssembly of the query's languages, each index's
// metadata and the chunks holding its words; the filters' data (and the names of
// their values) only once the reader opens the filters, or comes with one chosen.
const app = document.getElementById("search-app");
const base = app.dataset.base;
const ui = JSON.parse(document.getElementById("search-strings").textContent);
const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");
const filtersBox = document.getElementById("search-filters");
const filtersPanel = document.getElementById("search-filters-panel");
const sortSelect = document.getElementById("search-sort");
const FILTERS = ["country", "organization", "source", "language", "year", "story"];
const PAGE = 10;
const chosen = Object.fromEntries(FILTERS.map((name) => [name, new Set()]));
let labels = {}, languageNames = {}, storyLangs = {}, shown = 0, generation = 0;
let current = { count: 0, take: async () => [] };  // the results: how many, and take(from, n) gives their data
let withFilters = null;  // a Promise once the filters are wanted: their names loaded, every index's filter data too
let filtersStale = false;  // results were shown while the filters were closed: opening them searches again, for their counts

// Every word the script shows comes from the page (#search-strings), in the page's language;
// dates and plural categories follow that language's CLDR rules, as the build's do.
const DATE_LOCALES = { en: "en-GB" };  // day first, as the build writes English dates
const dateFormats = new Map();
function dateFormat(lang) {
  // A result keeps its article's language, its date too (as lists built by the site do).
  if (!dateFormats.has(lang)) {
    let format;
    try {
      format = new Intl.DateTimeFormat(DATE_LOCALES[lang] || lang, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
    } catch {
      format = new Intl.DateTimeFormat(document.documentElement.lang, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
    }
    dateFormats.set(lang, format);
  }
  return dateFormats.get(lang);
}
const plurals = new Intl.PluralRules(document.documentElement.lang);
const RTL = new Set(["ar", "fa", "he", "ur"]);

const ARABIC_SCRIPT = new Set(["ar", "fa", "ur", "ps"]);
let shards = [], library = null;  // shards: [folder of a period's index, {language: articles}]
const started = new Map();  // language → Promise of its Pagefinds, one per period holding it

function wanted(query) {
  // A query in Latin letters cannot match Arabic words and vice versa: only the
  // indexes of the query's script are loaded and searched (less to download).
  const arabic = /[\u0600-\u06ff]/.test(query || ""), latin = /[A-Za-zÀ-ɏ]/.test(query || "");
  const languages = [...new Set(shards.flatMap(([, langs]) => Object.keys(langs)))].sort();
  if (!query || (arabic && latin)) return languages;
  return languages.filter((l) => ARABIC_SCRIPT.has(l) === arabic);
}

function pagefindsFor(language) {
  if (!started.has(language)) started.set(language, startPagefinds(language));
  return started.get(language);
}

async function startPagefinds(language) {
  // One Pagefind module per language: a module (and its worker) handles every
  // query in the language it started with, so merging other languages into it
  // would leave them unstemmed (Arabic would find nothing). The script is fetched
  // once and instantiated from a blob URL for each language. Inside, one instance
  // per period, so that searchAll can tell which period a result came from.
  // Pagefind takes an instance's language from the page, when it is created.
  library ??= fetch(`${base}pagefind/pagefind.js`).then((r) => r.text()).then((code) => new Blob([code], { type: "text/javascript" }));
  const pagefind = await import(URL.createObjectURL(await library));
  const folders = shards.filter(([, langs]) => langs[language]).map(([path]) => `${base}pagefind/${path}`);
  const create = async (folder) => {
    const pageLanguage = document.documentElement.lang;
    let instance;
    try {
      document.documentElement.lang = language;
      instance = pagefind.createInstance({ basePath: folder, baseUrl: base, excerptLength: 30 });
    } finally {
      document.documentElement.lang = pageLanguage;
    }
    await instance.init();
    if (withFilters) await instance.filters();  // loads the filter data, so that searches report counts
    return instance;
  };
  // The first instance starts the module's worker; the others join it once it runs
  // (started together, some would wait for ever).
  const instances = folders.length ? [await create(folders[0])] : [];
  instances.push(...await Promise.all(folders.slice(1).map(create)));
  return instances;
}

async function start() {
  const manifest = await (await fetch(`${base}pagefind/shards.json`)).json();
  // The languages' names in this page's language (the manifest has them for every interface language).
  languageNames = manifest.translated_languages?.[document.documentElement.lang] || manifest.languages;
  shards = Object.entries(manifest.shards).sort();
  app.hidden = false;
  document.getElementById("search-fallback").hidden = true;
  const params = new URLSearchParams(location.search);
  const query = params.get("q") || "";
  input.value = query;
  // A filter in the address (a story page links to search/?story=<id>) starts chosen.
  for (const name of FILTERS) for (const value of params.getAll(name)) chosen[name].add(value);
  if (FILTERS.some((name) => chosen[name].size)) filtersPanel.open = true;  // and shown, with their counts
  filtersPanel.addEventListener("toggle", () => { if (filtersPanel.open && filtersStale) run(); });
  if (query || FILTERS.some((name) => chosen[name].size)) run();
}

function wantFilters() {
  // The first time the filters are shown: the names of their values, and every started
  // index's filter data (indexes started later load theirs as they start).
  withFilters ??= (async () => {
    const [names] = await Promise.all([
      fetch(`${base}pagefind/labels.json`).then((r) => r.json()),
      ...[...started.values()].map(async (pagefinds) => Promise.all((await pagefinds).map((p) => p.filters()))),
    ]);
    // The filters' values named in this page's language (labels.json has them for every interface language).
    labels = names.translated_labels?.[document.documentElement.lang] || names.labels;
    storyLangs = names.story_langs || {};  // a story is named by its title, in its own language
  })();
  return withFilters;
}

const fold = (word) => word.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");

async function withoutStandIns(query, searches) {
  // A Pagefind index with no word starting with a query word searches instead for
  // the longest word of its own that the query word starts with ("on" for
  // "onerror", "lamp" for "Lampedusa"). In one index of the whole archive that
  // happens only when nothing else matches; with periods, a period lacking the word
  // would answer with such stand-ins while others hold the word itself. So a
  // period whose best match for a query word is a stand-in at least three letters
  // shorter than another period's match is left out, as a single index would.
  // (Pagefind counts a page's words by splitting its content on white space.)
  const words = query.split(/\s+/).map(fold).filter(Boolean);
  const answered = searches.filter((s) => s.results.length);
  if (answered.length < 2 || !words.length) return searches;
  const matched = await Promise.all(answered.map(async (s) => {
    const { content = "", locations = [] } = await s.results[0].data();  // its best result's matched words
    const text = content.split(/\s+/);
    return locations.map((at) => fold(text[at] || "")).filter(Boolean);
  }));
  const common = (a, b) => { let i = 0; while (i < a.length && i < b.length && a[i] === b[i]) i++; return i; };
  const dropped = new Set();
  for (const word of words) {
    const best = matched.map((found) => Math.max(0, ...found.map((w) => common(w, word))));
    const longest = Math.max(...best);
    matched.forEach((found, i) => {
      // No word matched in the text: a match on metadata alone (a source's domain…).
      const standIn = !found.length || found.some((w) => word.startsWith(w) && w.length < word.length);
      if (standIn && best[i] + 3 <= longest) dropped.add(answered[i]);
    });
  }
  return searches.filter((s) => !dropped.has(s));
}

async function searchAll(query, options) {
  // Every period's and language's results, as one sequence: by score, or by date when sorting.
  const instances = (await Promise.all(wanted(query).map(pagefindsFor))).flat();
  let searches = await Promise.all(instances.map((p) => p.search(query, options)));
  if (query) searches = await withoutStandIns(query, searches);
  const filters = {};
  for (const search of searches) {
    for (const [name, values] of Object.entries(search.filters || {})) {
      filters[name] ??= {};
      for (const [value, count] of Object.entries(values)) filters[name][value] = (filters[name][value] || 0) + count;
    }
  }
  if (options.sort) return { results: byDate(searches.map((s) => s.results), options.sort.date), filters };
  const results = searches.flatMap((s) => s.results).sort((a, b) => b.score - a.score);
  return { results: { count: results.length, take: (from, n) => Promise.all(results.slice(from, from + n).map((r) => r.data())) }, filters };
}

function byDate(lists, order) {
  // Each index gives its results in date order already; they are merged as the reader
  // pages through them, a result's data (its fragment, which holds its date) loaded only
  // when it comes to the head of its list: 10 results cost at most 10 fragments plus one
  // per index, rather than every result's (15 MB for "migrants" at 10,000 articles).
  // Equal dates keep the indexes' order, as a stable sort of the lists one after another.
  const heads = lists.filter((l) => l.length).map((l) => ({ list: l, at: 0, data: null }));
  const taken = [];
  const date = async (head) => ((await (head.data ??= head.list[head.at].data())).meta.date || "");
  let queue = Promise.resolve();  // one merge at a time (a second "More results" waits for the first)
  const merge = async (from, n) => {
    while (taken.length < from + n && heads.length) {
      const dates = await Promise.all(heads.map(date));
      let best = 0;
      for (let i = 1; i < heads.length; i++) if (order === "asc" ? dates[i] < dates[best] : dates[i] > dates[best]) best = i;
      const head = heads[best];
      taken.push(await head.data);
      head.at += 1;
      head.data = null;
      if (head.at >= head.list.length) heads.splice(best, 1);
    }
    return taken.slice(from, from + n);
  };
  return {
    count: lists.reduce((n, l) => n + l.length, 0),
    take: (from, n) => (queue = queue.then(() => merge(from, n))),
  };
}

function filterOption() {
  const filters = {};
  for (const name of FILTERS) if (chosen[name].size) filters[name] = { any: [...chosen[name]] };
  return filters;
}

async function run() {
  const query = input.value.trim();
  const mine = ++generation;
  const params = new URLSearchParams(location.search);
  if (query) params.set("q", query); else params.delete("q");
  for (const name of FILTERS) {  // the chosen filters stay in the address, to bookmark or share
    params.delete(name);
    for (const value of chosen[name]) params.append(name, value);
  }
  history.replaceState(null, "", `${location.pathname}${params.size ? "?" + params : ""}`);
  if (!query && !Object.values(chosen).some((s) => s.size)) {
    list.replaceChildren(); filtersBox.replaceChildren(); more.hidden = true; status.textContent = ""; return;
  }
  status.textContent = ui.searching;
  if (filtersPanel.open) await wantFilters();
  const sort = sortSelect.value === "relevance" ? undefined : { date: sortSelect.value };
  const search = await searchAll(query || null, { filters: filterOption(), sort });
  if (mine !== generation) return;
  current = search.results;
  shown = 0;
  list.replaceChildren();
  filtersStale = !filtersPanel.open;
  if (filtersPanel.open) renderFilters(search.filters);
  await showMore();
  const count = current.count;
  const sentences = query ? ui.results : ui.counted;  // without words (filters only), the count alone
  const sentence = count === 0 && query ? ui.none : (sentences[plurals.select(count)] ?? sentences.other);
  status.textContent = sentence.replace("{n}", count).replace("{q}", query);
}

async function showMore() {
  const data = await current.take(shown, PAGE);
  shown += data.length;
  for (const item of data) list.append(resultItem(item));
  more.hidden = shown >= current.count;
}

function text(tag, content, attrs = {}) {
  const node = document.createElement(tag);
  if (content !== undefined) node.textContent = content;
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

const decoder = document.createElement("textarea");

function excerpt(html) {
  // Pagefind marks the match with <mark>; keep only that markup, everything else as text.
  const out = document.createElement("p");
  out.className = "excerpt";
  const parts = html.split(/(<mark>|<\/mark>)/);
  let marking = false;
  for (const part of parts) {
    if (part === "<mark>") { marking = true; continue; }
    if (part === "</mark>") { marking = false; continue; }
    decoder.innerHTML = part;  // a textarea's content is text: entities decoded, nothing parsed as markup
    const decoded = decoder.value;
    out.append(marking ? text("mark", decoded) : document.createTextNode(decoded));
  }
  return out;
}

function resultItem(item) {
  const lang = item.meta.lang || "und";
  const li = text("li", undefined, { lang, dir: RTL.has(lang) ? "rtl" : "ltr" });
  const article = text("article", undefined, { class: "entry" });
  const h2 = text("h2", undefined, { class: "entry-title" });
  h2.append(text("a", item.meta.title, { href: item.url }));
  const meta = text("p", undefined, { class: "meta" });
  if (item.meta.date) meta.append(text("time", dateFormat(lang).format(new Date(item.meta.date + "T00:00:00Z")), { datetime: item.meta.date }));
  if (item.meta.source) meta.append(` · ${item.meta.source}`);
  // The language's name is in the page's language: isolated in its own direction, the separator outside it.
  meta.append(" · ", text("span", languageNames?.[lang] || lang, { lang: document.documentElement.lang, dir: document.documentElement.dir || "ltr" }));
  article.append(h2, meta, excerpt(item.excerpt || ""));
  li.append(article);
  return li;
}

function renderFilters(counts) {
  filtersBox.replaceChildren();
  for (const name of FILTERS) {
    const values = Object.entries(counts[name] || {}).filter(([v, n]) => n > 0 || chosen[name].has(v));
    if (!values.length) continue;
    values.sort((a, b) => (name === "year" ? b[0].localeCompare(a[0]) : b[1] - a[1]));
    const fieldset = text("fieldset");
    fieldset.append(text("legend", ui.filters[name]));
    for (const [value, n] of values.slice(0, 12)) {
      const id = `f-${name}-${value}`.replace(/[^A-Za-z0-9_-]/g, "_");
      const box = text("input", undefined, { type: "checkbox", id, value });
      box.checked = chosen[name].has(value);
      box.addEventListener("change", () => { box.checked ? chosen[name].add(value) : chosen[name].delete(value); run(); });
      const label = text("label", undefined, { for: id });
      const own = name === "story" && storyLangs[value];
      const named = own ? text("span", labels[name]?.[value] || value, { lang: own, dir: RTL.has(own) ? "rtl" : "ltr" }) : (labels[name]?.[value] || value);
      label.append(named, " ", text("span", String(n), { class: "count" }));
      const row = text("div", undefined, { class: "filter" });
      row.append(box, label);
      fieldset.append(row);
    }
    filtersBox.append(fieldset);
  }
}

let timer;
input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 250); });
form.addEventListener("submit", (event) => { event.preventDefault(); clearTimeout(timer); run(); });
sortSelect.addEventListener("change", run);
more.addEventListener("click", showMore);
start().catch((error) => {
  status.textContent = ui.failed;
  console.error(error);
});
