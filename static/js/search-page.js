// The search page, whatever the engine: the form, the filters panel, the results and
// the address (which keeps the query and the chosen filters, to bookmark or share).
// Progressive enhancement: without the scripts the search page offers the timeline and
// the facet pages instead. Each engine's script (search.js, our own index;
// search-pagefind.js, Pagefind's) calls searchPage with its engine, an object of functions:
// - load(): a Promise of its manifest, once the engine can search; the manifest names the
//   languages (languages, and translated_languages: their names in each interface language);
// - loadFilters(): a Promise of the filters' labels.json (labels, translated_labels,
//   story_langs), once the engine has what it needs to count the filters' values; called
//   when the filters panel is open, each time (the engine loads them once);
// - search(query, { sort, chosen }): query (null: filters alone), sort (undefined: by
//   relevance, or { date: "asc" | "desc" }), chosen (filter → Set of values) give a Promise
//   of { results: { count, take(from, n): a Promise of n results' data }, filters: filter →
//   value → count }; a result's data is { url, meta: { title, date, lang, source } } and what
//   excerpt(data) makes a <p class="excerpt"> of.
export const FILTERS = ["country", "organization", "source", "language", "year", "story"];
const PAGE = 10;
const RTL = new Set(["ar", "fa", "he", "ur"]);

export function text(tag, content, attrs = {}) {
  const node = document.createElement(tag);
  if (content !== undefined) node.textContent = content;
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

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

export function searchPage(engine) {
  const app = document.getElementById("search-app");
  const ui = JSON.parse(document.getElementById("search-strings").textContent);
  const form = document.getElementById("search-form");
  const input = document.getElementById("search-q");
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  const more = document.getElementById("search-more");
  const filtersBox = document.getElementById("search-filters");
  const filtersPanel = document.getElementById("search-filters-panel");
  const sortSelect = document.getElementById("search-sort");
  const plurals = new Intl.PluralRules(document.documentElement.lang);
  const chosen = Object.fromEntries(FILTERS.map((name) => [name, new Set()]));
  let labels = {}, languageNames = {}, storyLangs = {}, shown = 0, generation = 0;
  let current = { count: 0, take: async () => [] };  // the results: how many, and take(from, n) gives their data
  let filtersStale = false;  // results were shown while the filters were closed: opening them searches again, for their counts

  async function start() {
    const manifest = await engine.load();
    // The languages' names in this page's language (the manifest has them for every interface language).
    languageNames = manifest.translated_languages?.[document.documentElement.lang] || manifest.languages;
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

  async function loadFilters() {
    const names = await engine.loadFilters();
    // The filters' values named in this page's language (labels.json has them for every interface language).
    labels = names.translated_labels?.[document.documentElement.lang] || names.labels;
    storyLangs = names.story_langs || {};  // a story is named by its title, in its own language
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
    if (filtersPanel.open) await loadFilters();
    const sort = sortSelect.value === "relevance" ? undefined : { date: sortSelect.value };
    const search = await engine.search(query || null, { sort, chosen });
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

  function resultItem(item) {
    const lang = item.meta.lang || "und";
    const li = text("li", undefined, { lang, dir: RTL.has(lang) ? "rtl" : "ltr" });
    const h2 = text("h2");
    h2.append(text("a", item.meta.title, { href: item.url }));
    const meta = text("p", undefined, { class: "meta" });
    if (item.meta.date) meta.append(text("time", dateFormat(lang).format(new Date(item.meta.date + "T00:00:00Z")), { datetime: item.meta.date }));
    if (item.meta.source) meta.append(` · ${item.meta.source}`);
    // The language's name is in the page's language: isolated in its own direction, the separator outside it.
    meta.append(" · ", text("span", languageNames?.[lang] || lang, { lang: document.documentElement.lang, dir: document.documentElement.dir || "ltr" }));
    li.append(h2, meta, engine.excerpt(item));
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
}
