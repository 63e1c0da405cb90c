// Crossings dev server client: injected into pages only while `serve` runs,
// never written into the built site. Listens to the server's event stream and
// reloads the page (keeping the scroll position), swaps stylesheets in place,
// or shows the problems of the last build over the page.
(() => {
  "use strict";
  const script = document.currentScript;
  const base = script.dataset.base;
  let build = script.dataset.build;
  const scrollKey = "crossings-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    addEventListener("load", () => scrollTo(0, Number(saved)));
  }

  function reload(message) {
    sessionStorage.setItem(scrollKey, String(scrollY));
    if (message.base && message.base !== base && location.pathname.startsWith(base)) {
      location.href = message.base + location.pathname.slice(base.length) + location.search + location.hash;
    } else {
      location.reload();
    }
  }

  async function swapStylesheets() {
    // Stylesheets are published under names that change with their content: ask the
    // page for its new ones and swap them in, without reloading.
    const page = await (await fetch(location.href, { cache: "no-store" })).text();
    const fresh = [...new DOMParser().parseFromString(page, "text/html").querySelectorAll('link[rel="stylesheet"]')];
    const current = [...document.querySelectorAll('link[rel="stylesheet"]')];
    current.forEach((link, i) => {
      const href = fresh[i] && fresh[i].getAttribute("href");
      if (!href || href === link.getAttribute("href")) return;
      const replacement = link.cloneNode();
      replacement.setAttribute("href", href);
      replacement.addEventListener("load", () => link.remove());
      link.after(replacement);
    });
  }

  // An editor may hide the overlay (it covers half a phone's screen); it stays hidden, in this tab,
  // until the list of problems changes.
  const HIDDEN = "crossings-hidden-problems";

  function showProblems(problems) {
    document.getElementById("crossings-problems")?.remove();
    if (!problems || problems.length === 0) return;
    if (sessionStorage.getItem(HIDDEN) === JSON.stringify(problems)) return;
    const box = document.createElement("section");
    box.id = "crossings-problems";
    box.setAttribute("role", "alert");
    box.setAttribute("lang", "en");
    box.setAttribute("dir", "ltr");
    box.setAttribute("style", OVERLAY_STYLE);
    const title = document.createElement("h2");
    title.textContent = `Crossings: the last build reported ${problems.length} problem${problems.length === 1 ? "" : "s"}`;
    title.setAttribute("style", "margin:0 0 .5rem;font-size:1rem");
    const list = document.createElement("ul");
    list.setAttribute("style", "margin:0;padding-left:1.2rem");
    for (const text of problems) {
      const item = document.createElement("li");
      item.textContent = text;  // text only: problems quote files an editor or a scraper wrote
      list.append(item);
    }
    const hide = document.createElement("button");
    hide.type = "button";
    hide.textContent = "Hide";
    hide.setAttribute("style", "float:right;margin:0 0 .5rem 1rem;font:inherit;color:#fff;background:transparent;border:1px solid #fff;" +
      "border-radius:3px;padding:.1rem .6rem;cursor:pointer");
    hide.addEventListener("click", () => {
      sessionStorage.setItem(HIDDEN, JSON.stringify(problems));
      box.remove();
    });
    box.append(hide, title, list);
    document.body.append(box);
  }

  const OVERLAY_STYLE = "position:fixed;left:0;right:0;bottom:0;z-index:2147483647;max-height:50vh;overflow:auto;" +
    "margin:0;padding:1rem 1.25rem;background:#2b0d0d;color:#fff;border-top:4px solid #e5484d;" +
    "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap";

  const source = new EventSource("/__crossings/events");
  source.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "hello") {
      if (message.build !== build) reload(message);
      else showProblems(message.problems);
    } else if (message.type === "reload") {
      reload(message);
    } else if (message.type === "css") {
      build = message.build;
      swapStylesheets();
      showProblems(message.problems);
    } else if (message.type === "problems") {
      build = message.build;
      showProblems(message.problems);
    }
  });
})();
