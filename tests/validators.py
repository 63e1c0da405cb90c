"""Checks of feeds against their specifications (RFC 4287 Atom; JSON Feed 1.1), for the tests."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit
from xml.etree import ElementTree

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def is_iri(value: str) -> bool:
    parts = urlsplit(value)
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme in ("tag", "urn"))


def atom_problems(data: bytes) -> list[str]:
    """What breaks RFC 4287 in an Atom document (the rules a feed validator checks)."""
    problems = []
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    if root.tag != ATOM + "feed":
        return [f"root element is {root.tag}, not atom:feed"]
    for name in ("id", "title", "updated"):
        if len(root.findall(ATOM + name)) != 1:
            problems.append(f"feed must have exactly one {name}")
    feed_author = root.find(ATOM + "author") is not None
    if root.findtext(ATOM + "id") and not is_iri(root.findtext(ATOM + "id")):
        problems.append("feed id is not an IRI")
    if not RFC3339.match(root.findtext(ATOM + "updated") or ""):
        problems.append("feed updated is not an RFC 3339 date-time")
    selfs = [link for link in root.findall(ATOM + "link") if link.get("rel") == "self"]
    if len(selfs) != 1 or not is_iri(selfs[0].get("href", "")):
        problems.append("feed should have one absolute self link")
    for n, entry in enumerate(root.findall(ATOM + "entry")):
        for name in ("id", "title", "updated"):
            if len(entry.findall(ATOM + name)) != 1:
                problems.append(f"entry {n} must have exactly one {name}")
        for name in ("updated", "published"):
            value = entry.findtext(ATOM + name)
            if value is not None and not RFC3339.match(value):
                problems.append(f"entry {n} {name} is not RFC 3339")
        if not is_iri(entry.findtext(ATOM + "id") or ""):
            problems.append(f"entry {n} id is not an IRI")
        if not feed_author and entry.find(ATOM + "author") is None:
            problems.append(f"entry {n} has no author and neither has the feed")
        alternates = [link for link in entry.findall(ATOM + "link") if link.get("rel", "alternate") == "alternate"]
        content = entry.find(ATOM + "content")
        if not alternates and content is None:
            problems.append(f"entry {n} needs an alternate link or content")
        if content is not None and content.get("type") not in (None, "text", "html", "xhtml"):
            problems.append(f"entry {n} content type {content.get('type')} needs a src or is unknown")
        for link in entry.findall(ATOM + "link"):
            if not link.get("href"):
                problems.append(f"entry {n} has a link without href")
    return problems


def json_feed_problems(data: bytes) -> list[str]:
    """What breaks JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)."""
    try:
        feed = json.loads(data)
    except ValueError as exc:
        return [f"not JSON: {exc}"]
    problems = []
    if feed.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append("version must be https://jsonfeed.org/version/1.1")
    if not isinstance(feed.get("title"), str):
        problems.append("title is required")
    for key in ("home_page_url", "feed_url"):
        if key in feed and not is_iri(feed[key]):
            problems.append(f"{key} should be a full URL")
    if not isinstance(feed.get("items"), list):
        return problems + ["items is required"]
    for n, item in enumerate(feed["items"]):
        if not isinstance(item.get("id"), str) or not item["id"]:
            problems.append(f"item {n} needs a string id")
        if not (item.get("content_html") or item.get("content_text")):
            problems.append(f"item {n} needs content_html or content_text")
        for key in ("date_published", "date_modified"):
            if key in item and not RFC3339.match(item[key]):
                problems.append(f"item {n} {key} is not RFC 3339")
        for key in ("url", "external_url"):
            if key in item and not is_iri(item[key]):
                problems.append(f"item {n} {key} should be a full URL")
    return problems
