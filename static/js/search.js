// Crossings search, on our own index (crossings/ownsearch.py explains its files): no
// WebAssembly, no library; the page itself (form, filters, results) is search-page.js's,
// driven by this engine. A query downloads the manifest,
// for each of its words the chunk of each part that holds the word's form (its stems in
// every language) and those holding its stems, then the texts of the 10 results shown;
// the filters' data (and the names of their values) only once the reader opens the
// filters, or comes with one chosen.
import { FILTERS, searchPage, text } from "./search-page.js";

const base = document.getElementById("search-app").dataset.base;
let manifest = null;
let withFilters = null;  // a Promise once the filters are wanted: their names and every part's filter data loaded
const files = new Map();  // address → Promise of its JSON, each file fetched once
const getJSON = (path) => {
  // The index's files are gzip-compressed (.jsonz), a third of their size or less, unpacked here
  // (unless the server already did, saying Content-Encoding: gzip: then they come as JSON).
  if (!files.has(path)) files.set(path, fetch(`${base}search/${path}`).then(async (r) => {
    if (!r.ok) throw new Error(`${path}: ${r.status}`);
    const bytes = new Uint8Array(await r.arrayBuffer());
    const packed = bytes[0] === 0x1f && bytes[1] === 0x8b;
    const text = packed ? await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text() : new TextDecoder().decode(bytes);
    return JSON.parse(text);
  }));
  return files.get(path);
};

async function load() {
  manifest = await getJSON("index.json");
  return manifest;
}

let facets = null;  // filter → value → sorted article numbers, once the filters are wanted

function loadFilters() {
  // The first time the filters are shown (or one is chosen): the names of their values and every part's filter data.
  withFilters ??= (async () => {
    const [names, ...data] = await Promise.all([getJSON("labels.json"), ...manifest.parts.map((part) => getJSON(`${part.name}/filters.jsonz`))]);
    const found = {};
    manifest.parts.forEach((part, i) => {
      for (const [name, values] of Object.entries(data[i])) {
        found[name] ??= {};
        for (const [value, list] of Object.entries(values)) {
          const numbers = decode(list).numbers.map((n) => n + part.first);
          found[name][value] = found[name][value] ? found[name][value].concat(numbers) : numbers;
        }
      }
    });
    facets = found;
    return names;
  })();
  return withFilters;
}

// Postings: base-32 digits, the last of each number from FINAL; a number is the difference
// from the previous article's, times 8, plus the word's weight in the article (0–7).
const DIGIT = {}, LAST = {};
[..."0123456789abcdefghijklmnopqrstuv"].forEach((c, i) => { DIGIT[c] = i; });
[..."ABCDEFGHIJKLMNOPQRSTUVWXYZ-_.~()"].forEach((c, i) => { LAST[c] = i; });
function decode(text) {
  const numbers = [], weights = [];
  let value = 0, last = 0;
  for (const c of text) {
    if (c in DIGIT) { value = value * 32 + DIGIT[c]; continue; }
    value = value * 32 + LAST[c];
    last += Math.floor(value / 8);
    numbers.push(last);
    weights.push(value % 8);
    value = 0;
  }
  return { numbers, weights };
}

const WORD = /(?:[\p{L}\p{N}]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670])+/gu;  // as crossings/ownsearch.py's WORD
const fold = (word) => word.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
const ARABIC = /[\u0600-\u06ff]/;

function chunkOf(part, key) {
  // The chunk whose range holds key: the last one starting at or before it (-1: before the first).
  let lo = 0, hi = part.chunks.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (part.chunks[mid][0] <= key) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}
const chunk = (part, i) => getJSON(`${part.name}/${part.chunks[i][1]}`);

const stemmers = new Map();  // language → Promise of Snowball's stemmer, for words the archive does not hold
function stemmerFor(lang) {
  if (!["fr", "en", "es", "ar"].includes(lang)) return Promise.resolve(null);
  if (!stemmers.has(lang)) stemmers.set(lang, import(new URL(`stemmers/${lang}.js`, import.meta.url)).then((m) => m.stemmer, () => null));
  return stemmers.get(lang);
}

async function stemsOf(word) {
  // A query word's stem in each language of the archive: from the index when the archive holds
  // the word (in any part), otherwise from Snowball's JavaScript stemmers.
  const form = fold(word);
  const langs = manifest.langs;
  for (const part of manifest.parts) {
    const i = chunkOf(part, form);
    if (i < 0) continue;
    const entry = (await chunk(part, i)).f?.[form];
    if (entry) return Object.fromEntries(langs.map((lang) => [lang, entry[lang] ?? form]));
  }
  const arabic = ARABIC.test(word);
  return Object.fromEntries(await Promise.all(langs.map(async (lang) => {
    const stemmer = (lang === "ar") === arabic ? await stemmerFor(lang) : null;
    return [lang, stemmer ? fold(stemmer(word)) || form : form];
  })));
}

async function matches(stem, lang) {
  // Every article with a word whose stem, in this language, starts with stem: [article, weight, exact].
  const found = [];
  await Promise.all(manifest.parts.map(async (part) => {
    const first = Math.max(0, chunkOf(part, stem)), wanted = [first];  // its chunk, and the next ones while their keys start with it
    for (let i = first + 1; i < part.chunks.length && part.chunks[i][0].startsWith(stem); i++) wanted.push(i);
    for (const content of await Promise.all(wanted.map((j) => chunk(part, j)))) {
      for (const [key, byLang] of Object.entries(content.s || {})) {
        if (!key.startsWith(stem) || !byLang[lang]) continue;
        found.push([key === stem, decode(byLang[lang])]);
      }
    }
  }));
  return found;
}

async function searchWords(query) {
  // Articles with every word of the query (in any of its stems), scored: for each word, its best
  // stem's weight in the article times how rare the stem is, a longer word it begins counting half.
  const words = [...new Set(query.toLowerCase().match(WORD) || [])];
  const total = manifest.parts.reduce((n, part) => n + part.count, 0);
  const marks = [];  // what the excerpts highlight: each word's stems
  let scores = null;
  for (const word of words) {
    const stems = await stemsOf(word);
    const pairs = [...new Set(Object.entries(stems).map(([lang, stem]) => `${lang}\u0000${stem}`))].map((p) => p.split("\u0000"));
    marks.push([fold(word), ...new Set(Object.values(stems))]);
    const mine = new Map();
    for (const found of await Promise.all(pairs.map(([lang, stem]) => matches(stem, lang)))) {
      for (const [exact, { numbers, weights }] of found) {
        const rarity = Math.log(1 + total / numbers.length);
        numbers.forEach((n, i) => {
          const score = rarity * (weights[i] + 1) * (exact ? 1 : 0.5);
          if (!(mine.get(n) >= score)) mine.set(n, score);
        });
      }
    }
    if (!mine.size) {  // nothing has the word: as Pagefind, the longest word of the archive that it starts with
      const standIn = await standInFor(pairs);
      if (standIn) {
        marks[marks.length - 1].push(standIn.stem);
        for (const [n, weight] of standIn.articles) mine.set(n, weight);
      }
    }
    if (scores === null) scores = mine;
    else for (const [n, score] of scores) { if (mine.has(n)) scores.set(n, score + mine.get(n)); else scores.delete(n); }
  }
  return { scores: scores || new Map(), marks };
}

async function standInFor(pairs) {
  // The longest stem (at least 3 letters) that one of the word's stems starts with, in that stem's
  // language, and its articles: a word the archive lacks ("cooperación") finds the nearest it holds
  // ("cooper"), as a Pagefind index does; none when the archive holds the word.
  let best = null;
  await Promise.all(pairs.map(async ([lang, stem]) => {
    for (const part of manifest.parts) {
      const prefixes = [];
      for (let k = stem.length - 1; k >= 3; k--) prefixes.push(stem.slice(0, k));
      const chunks = [...new Set(prefixes.map((p) => chunkOf(part, p)).filter((i) => i >= 0))];
      const contents = await Promise.all(chunks.map((i) => chunk(part, i)));
      for (const prefix of prefixes) {
        const found = contents.map((c) => c.s?.[prefix]?.[lang]).find(Boolean);
        if (!found) continue;
        if (!best || prefix.length > best.stem.length) best = { stem: prefix, lists: [] };
        if (prefix.length === best.stem.length) best.lists.push(decode(found));
        break;
      }
    }
  }));
  if (!best) return null;
  const total = manifest.parts.reduce((n, part) => n + part.count, 0);
  const articles = new Map();
  for (const { numbers, weights } of best.lists) {
    const rarity = Math.log(1 + total / numbers.length);
    numbers.forEach((n, i) => articles.set(n, Math.max(articles.get(n) || 0, rarity * (weights[i] + 1) * 0.5)));
  }
  return { stem: best.stem, articles };
}

function allowed(chosen, except) {
  // The chosen filters but one (except): a value of each chosen filter (any), every chosen filter (all).
  const sets = [];
  for (const name of FILTERS) {
    if (name === except || !chosen[name].size) continue;
    const set = new Set();
    for (const value of chosen[name]) for (const n of facets?.[name]?.[value] || []) set.add(n);
    sets.push(set);
  }
  return (n) => sets.every((set) => set.has(n));
}

async function search(query, { sort, chosen }) {
  // The page has loaded the filters already when their panel is open.
  if (FILTERS.some((name) => chosen[name].size)) await loadFilters();
  let candidates, marks = [];
  if (query) {
    const found = await searchWords(query);
    candidates = found.scores;
    marks = found.marks;
  } else {  // filters alone: every article they allow
    candidates = new Map();
    const total = manifest.parts.reduce((n, part) => n + part.count, 0);
    for (let n = 0; n < total; n++) candidates.set(n, 0);
  }
  const keep = allowed(chosen, null);
  const numbers = [...candidates.keys()].filter(keep);
  // Counts: for each filter, the results that the other chosen filters allow, by value.
  const counts = {};
  if (facets) {
    for (const name of FILTERS) {
      const others = allowed(chosen, name);
      const base = new Set([...candidates.keys()].filter(others));
      counts[name] = {};
      for (const [value, list] of Object.entries(facets[name] || {})) {
        let n = 0;
        for (const number of list) if (base.has(number)) n++;
        counts[name][value] = n;
      }
    }
  }
  // Articles are numbered in date order: by date is by number; by relevance, the newer first among equals.
  if (sort?.date === "asc") numbers.sort((a, b) => a - b);
  else if (sort) numbers.sort((a, b) => b - a);
  else numbers.sort((a, b) => candidates.get(b) - candidates.get(a) || b - a);
  const take = (from, n) => Promise.all(numbers.slice(from, from + n).map(async (number) => {
    const part = manifest.parts.find((p) => number >= p.first && number < p.first + p.count);
    const data = await getJSON(`${part.name}/f${number}.jsonz`);
    return { url: data.url, meta: data, excerpt: excerpt(data.text, marks) };
  }));
  return { results: { count: numbers.length, take }, filters: counts };
}

function hits(token, marks) {
  // Whether a word of an article is one the query found: its very form, or a word beginning with
  // one of the query word's stems (in Arabic script, holding it: its stems drop prefixes too).
  const form = fold(token);
  return marks.some(([word, ...stems]) => form === word || stems.some((stem) => stem.length >= 2 &&
    (form.startsWith(stem) || (ARABIC.test(stem) && stem.length >= 3 && form.includes(stem)))));
}

function excerpt(body, marks) {
  // About 30 words of the article around its first word the query found, those words marked;
  // built as text nodes and <mark> elements (nothing of the article is read as markup).
  const out = document.createElement("p");
  out.className = "excerpt";
  const tokens = [...body.matchAll(WORD)];
  if (!tokens.length) return out;
  const first = Math.max(0, tokens.findIndex((t) => hits(t[0], marks)));
  const from = Math.max(0, first - 8), to = Math.min(tokens.length, from + 30);
  let start = tokens[from].index, end = tokens[to - 1].index + tokens[to - 1][0].length;
  while (start > 0 && !/\s/.test(body[start - 1])) start--;
  while (end < body.length && !/\s/.test(body[end])) end++;
  if (start > 0) out.append("… ");
  let at = start;
  for (let i = from; i < to; i++) {
    const t = tokens[i];
    if (!hits(t[0], marks)) continue;
    out.append(body.slice(at, t.index), text("mark", t[0]));
    at = t.index + t[0].length;
  }
  out.append(body.slice(at, end));
  if (end < body.length) out.append(" …");
  return out;
}

searchPage({ load, loadFilters, search, excerpt: (item) => item.excerpt });
