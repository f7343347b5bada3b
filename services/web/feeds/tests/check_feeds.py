#!/usr/bin/env python3
"""Parses every document web_feeds_sample renders with real parsers.

RSS and Atom feeds (en and zh-CN; site and category) through feedparser: no bozo error, the
right version, the entries with the right titles and links (a title of markup and
ampersands comes back as that text), self and hub links, full content. JSON Feed 1.1
(which Debian's feedparser 6.0 does not read) through json with the same checks against
the JSON Feed 1.1 fields. The sitemap, the index and its
pages through an XML parser: the namespaces, both translations of the bilingual article
with hreflang alternates and x-default, every page listed. Usage: check_feeds.py SAMPLE_BIN
"""
import datetime
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import feedparser  # Debian's python3-feedparser; scripts/test installs it

BASE = "https://news.example.org"
HUB = "https://hub.example.net/"
HOSTILE = "<script>alert(1)</script> & AT&T \"quoted\" 'single'"
EN_TITLE = "Bulletin launches its news site"
ZH_TITLE = "公告：新闻网站上线"
EN_URL = BASE + "/en/articles/bulletin-launches"
ZH_URL = BASE + "/zh-CN/articles/gonggao-shangxian"
HOSTILE_URL = BASE + "/en/articles/markup-in-title"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
VERSIONS = {"rss": "rss20", "atom": "atom10"}

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def check_feed(path, locale, category, ext):
    name = os.path.basename(path)
    d = feedparser.parse(path)
    check(not d.bozo, f"{name}: bozo {d.get('bozo_exception')!r}")
    check(d.version == VERSIONS[ext], f"{name}: version {d.version!r}")
    base = f"{BASE}/{locale}/categories/news" if category else f"{BASE}/{locale}"
    self_url = f"{base}/feed.{ext}"
    links = {(l.get("rel"), l.get("href")) for l in d.feed.get("links", [])}
    check(("self", self_url) in links, f"{name}: no self link {self_url} in {links}")
    check(("hub", HUB) in links, f"{name}: no hub link in {links}")
    got = [(e.get("title"), e.get("link"), "".join(c.value for c in e.get("content", [])),
            e.get("published_parsed") is not None) for e in d.entries]
    check_entries(name, locale, got)


def check_entries(name, locale, got):
    """got: (title, link, content HTML, has a published date) of each entry, in order."""
    if locale == "en":
        want = [(HOSTILE, HOSTILE_URL), (EN_TITLE, EN_URL)]
    else:
        want = [(ZH_TITLE, ZH_URL)]
    check([g[:2] for g in got] == want, f"{name}: entries {[g[:2] for g in got]!r}, want {want!r}")
    for title, link, content, dated in got:
        if link in (EN_URL, ZH_URL):
            check("阅读" in content if locale == "zh-CN" else "the news" in content,
                  f"{name}: full content missing: {content[:200]!r}")
        if link == EN_URL:
            check(BASE + "/media/launch.jpg" in content, f"{name}: relative image not absolute")
        check("<script" not in content, f"{name}: script in content {content[:200]!r}")
        check(dated, f"{name}: no published date on {link}")


def rfc3339(value):
    try:
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None
    except (AttributeError, ValueError):
        return False


def check_json(path, locale, category):
    name = os.path.basename(path)
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    base = f"{BASE}/{locale}/categories/news" if category else f"{BASE}/{locale}"
    check(doc.get("version") == "https://jsonfeed.org/version/1.1", f"{name}: version")
    check(isinstance(doc.get("title"), str) and doc["title"], f"{name}: no title")
    check(doc.get("feed_url") == f"{base}/feed.json", f"{name}: feed_url {doc.get('feed_url')}")
    check(doc.get("home_page_url") == (base if category else base + "/"),
          f"{name}: home_page_url {doc.get('home_page_url')}")
    check(doc.get("language") == locale, f"{name}: language {doc.get('language')}")
    check(doc.get("hubs") == [{"type": "WebSub", "url": HUB}], f"{name}: hubs {doc.get('hubs')}")
    items = doc.get("items")
    check(isinstance(items, list), f"{name}: no items")
    got = []
    for item in items or []:
        check(isinstance(item.get("id"), str) and item["id"], f"{name}: item without id")
        check(rfc3339(item.get("date_modified")), f"{name}: date_modified {item.get('date_modified')}")
        got.append((item.get("title"), item.get("url"), item.get("content_html", ""),
                    rfc3339(item.get("date_published"))))
    check_entries(name, locale, got)


def url_entries(root):
    out = {}
    for url in root.findall(f"{SM}url"):
        loc = url.findtext(f"{SM}loc")
        alts = {l.get("hreflang"): l.get("href") for l in url.findall(f"{XHTML}link")
                if l.get("rel") == "alternate"}
        out[loc] = alts
    return out


def check_urlset(urls, name):
    for loc in (EN_URL, ZH_URL):
        check(loc in urls, f"{name}: {loc} missing")
        check(urls.get(loc) == {"en": EN_URL, "zh-CN": ZH_URL, "x-default": EN_URL},
              f"{name}: alternates of {loc}: {urls.get(loc)}")
    for loc in (HOSTILE_URL, BASE + "/en/", BASE + "/zh-CN/", BASE + "/zh-CN/categories/news"):
        check(loc in urls, f"{name}: {loc} missing")


def main():
    sample = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="web_feeds_") as out:
        subprocess.run([sample, out], check=True)
        count = 0
        for locale in ("en", "zh-CN"):
            for category in (False, True):
                for ext in ("rss", "atom", "json"):
                    path = os.path.join(out, f"{locale}{'-news' if category else ''}.{ext}")
                    if ext == "json":
                        check_json(path, locale, category)
                    else:
                        check_feed(path, locale, category, ext)
                    count += 1

        for ext in ("rss", "atom"):
            d = feedparser.parse(os.path.join(out, f"empty.{ext}"))
            check(not d.bozo, f"empty.{ext}: bozo {d.get('bozo_exception')!r}")
            check(d.version == VERSIONS[ext] and not d.entries, f"empty.{ext}: {d.version}")
            check(d.feed.get("title") == "Bulletin - News", f"empty.{ext}: no title")
        with open(os.path.join(out, "empty.json"), encoding="utf-8") as f:
            check(json.load(f).get("items") == [], "empty.json: items")
        count += 3

        # Random hostile text: strict XML parsers and feedparser take every document whole.
        for ext in ("rss", "atom"):
            path = os.path.join(out, f"random.{ext}")
            ET.parse(path)  # raises on anything not well-formed
            d = feedparser.parse(path)
            check(not d.bozo, f"random.{ext}: bozo {d.get('bozo_exception')!r}")
            titles = [e.get("title", "").split(" ")[0] for e in d.entries]
            check(titles == [f"random-{i}" for i in range(200)], f"random.{ext}: {titles[:5]}")
        with open(os.path.join(out, "random.json"), encoding="utf-8") as f:
            items = json.load(f)["items"]
        check([i["title"].split(" ")[0] for i in items] == [f"random-{i}" for i in range(200)],
              "random.json: titles")
        count += 3

        root = ET.parse(os.path.join(out, "sitemap.xml")).getroot()
        check(root.tag == f"{SM}urlset", f"sitemap.xml: root {root.tag}")
        single = url_entries(root)
        check_urlset(single, "sitemap.xml")

        index = ET.parse(os.path.join(out, "sitemap-index.xml")).getroot()
        check(index.tag == f"{SM}sitemapindex", f"sitemap-index.xml: root {index.tag}")
        locs = [s.findtext(f"{SM}loc") for s in index.findall(f"{SM}sitemap")]
        pages = sorted(os.listdir(os.path.join(out, "sitemaps")))
        check(locs == [f"{BASE}/sitemaps/{i}.xml" for i in range(1, len(pages) + 1)],
              f"sitemap-index.xml: {locs} for pages {pages}")
        check(len(pages) > 1, f"sitemap-index.xml: only {len(pages)} page(s)")
        paged = {}
        for page in pages:
            root = ET.parse(os.path.join(out, "sitemaps", page)).getroot()
            check(root.tag == f"{SM}urlset", f"sitemaps/{page}: root {root.tag}")
            entries = url_entries(root)
            check(len(entries) <= 2, f"sitemaps/{page}: {len(entries)} URLs, page size is 2")
            paged.update(entries)
        check(paged == single, "sitemap pages do not add up to the single sitemap")

        with open(os.path.join(out, "robots.txt"), encoding="utf-8") as f:
            robots = f.read()
        check(f"Sitemap: {BASE}/sitemap.xml" in robots.splitlines(), "robots.txt: no Sitemap")

    for f in failures:
        print("FAIL:", f)
    if failures:
        return 1
    print(f"ok: {count} feeds checked (RSS and Atom parsed by feedparser {feedparser.__version__}), "
          f"sitemap of {len(single)} URLs, index of {len(pages)} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
