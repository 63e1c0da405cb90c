// Crossings search: Pagefind's indexes, one per period and language, merged here, with
// filters, counts and sorting; the page itself (form, filters, results) is
// search-page.js's, driven by this engine. What a query downloads
// is kept to what it needs: the WebAssembly of the query's languages, each index's
// metadata and the chunks holding its words; the filters' data (and the names of
// their values) only once the reader opens the filters, or comes with one chosen.
import { FILTERS, searchPage, text } from "./search-page.js";

const base = document.getElementById("search-app").dataset.base;
let withFilters = null;  // a Promise once the filters are wanted: their names loaded, every index's filter data too
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

async function load() {
  const manifest = await (await fetch(`${base}pagefind/shards.json`)).json();
  shards = Object.entries(manifest.shards).sort();
  return manifest;
}

function loadFilters() {
  // The first time the filters are shown: the names of their values, and every started
  // index's filter data (indexes started later load theirs as they start).
  withFilters ??= (async () => {
    const [names] = await Promise.all([
      fetch(`${base}pagefind/labels.json`).then((r) => r.json()),
      ...[...started.values()].map(async (pagefinds) => Promise.all((await pagefinds).map((p) => p.filters()))),
    ]);
    return names;
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

function filterOption(chosen) {
  const filters = {};
  for (const name of FILTERS) if (chosen[name].size) filters[name] = { any: [...chosen[name]] };
  return filters;
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

searchPage({
  load,
  loadFilters,
  search: (query, { sort, chosen }) => searchAll(query, { filters: filterOption(chosen), sort }),
  excerpt: (item) => excerpt(item.excerpt || ""),
});
