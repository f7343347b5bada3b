// Browser test of bulletin-web's seed page (the demo article) in headless Chromium.
//
// Debian's /usr/bin/chromium, driven over the DevTools protocol by playwright-core (never a
// browser downloaded by a test tool). Loads /{en,zh-CN}/articles/{slug} and checks what a
// reader sees: <html lang>, the breadcrumb, the title, the date, the visitors line, the
// related links, the language switch (followed by a click), the footer; then the visitor
// count: +1 exactly for each new visitor (a new browser context, so new cookies), +0 for a
// reload or a second view by the same visitor, also when the HTML came from bulletin-web's
// response cache (the same bytes as an earlier answer, with the stale count the beacon then
// updates), +1 for a reader without JavaScript (the <noscript> pixel), +1 and no cookie for
// a reader sending Sec-GPC: 1, +0 for a forged view token (refused with 400); / redirects by
// Accept-Language unless the switch remembered a choice. Saves full-page screenshots of
// both languages. Exits 1 with every failed check listed.
//
//   node seed_page.mjs --base-url=http://127.0.0.1:8080 --slug=SLUG
//        [--artifacts=DIR] [--expect-related=N] [--chromium=/usr/bin/chromium]
//   (BULLETIN_ARTIFACTS_DIR is the default of --artifacts, else build/artifacts/browser)
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([^=]+)=(.*)$/s.exec(a);
    if (!m) {
      console.error(`seed_page: unknown argument ${a} (want --name=value)`);
      process.exit(2);
    }
    return [m[1], m[2]];
  }),
);
const baseUrl = (args['base-url'] || '').replace(/\/+$/, '');
const slug = args.slug || '';
if (!baseUrl || !slug) {
  console.error('usage: node seed_page.mjs --base-url=http://HOST:PORT --slug=SLUG ' +
                '[--artifacts=DIR] [--expect-related=N] [--chromium=PATH]');
  process.exit(2);
}
const artifacts = path.resolve(
  args.artifacts || process.env.BULLETIN_ARTIFACTS_DIR || 'build/artifacts/browser');
const expectRelated = Number(args['expect-related'] || '0');
const executablePath = args.chromium || process.env.BULLETIN_CHROMIUM || '/usr/bin/chromium';

// What the seed page shows in each language (the demo article of bulletin-content
// --seed-demo, published 2018-02-05 in Beijing).
const EXPECTED = {
  en: {
    title: 'The Tripartite Meeting of the First Quarter in 2018 on UN Volunteer Service ' +
           'Cooperation Project Held',
    crumbs: ['Home', 'News', 'Content'],
    date: /^Date[:：]\s*2018-02-05$/,
    visitors: /^Visitors[:：]\s*(\d+)$/,
    related: 'Related News',
    switchText: '简体中文 | English',
    current: 'English',
    caption: 'The Tripartite Meeting',
    footer: '©',
  },
  'zh-CN': {
    title: '联合国志愿服务合作项目2018年第一季度三方会议召开',
    crumbs: ['首页', '新闻', '正文'],
    date: /^日期[:：]\s*2018-02-05$/,
    visitors: /^访问量[:：]\s*(\d+)$/,
    related: '相关新闻',
    switchText: '简体中文 | English',
    current: '简体中文',
    caption: '三方会议',
    footer: '©',
  },
};
const OTHER = { en: 'zh-CN', 'zh-CN': 'en' };

const started = Date.now();
const failures = [];
function check(ok, message) {
  if (ok) {
    console.log(`  ok    ${message}`);
  } else {
    console.log(`  FAIL  ${message}`);
    failures.push(message);
  }
  return ok;
}
const squash = (s) => (s || '').replace(/\s+/g, ' ').trim();

// Chromium as this machine needs it: headless, no sandbox (root), no GPU, and none of the
// background connections a closed network refuses. launch() gives it a fresh, empty
// --user-data-dir of its own and removes it at close().
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
// A reader's browser, not a headless one (analytics does not count known bots by user agent).
const uaPage = await browser.newPage();
const userAgent = (await uaPage.evaluate(() => navigator.userAgent))
  .replace('HeadlessChrome', 'Chrome');
await uaPage.close();
const pageErrors = [];
const warnings = new Set();

async function newVisitor(options = {}) {
  const context = await browser.newContext({
    userAgent, viewport: { width: 1280, height: 900 }, locale: 'en-US', ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400 && !isBeacon(r)) warnings.add(`HTTP ${r.status()} for ${new URL(r.url()).pathname}`);
  });
  return { context, page };
}

function isBeacon(r) {
  return r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/views';
}

// Runs `action` (a navigation), waits for the page's view beacon and for the count it
// answered to show on the page. Returns {html, views, shown, status}: the document's HTML
// as the server sent it (null when the browser reused its own cached copy), the total the
// beacon answered and the number the page shows.
async function viewWith(page, label, action) {
  const beacon = page.waitForResponse(isBeacon, { timeout: 15000 });
  beacon.catch(() => {});  // awaited below unless the page itself failed
  const response = await action();
  let html = null;
  let status = 0;
  if (response) {
    status = response.status();
    if (!check(status === 200 || status === 304, `${label}: the page answers 200 (got ${status})`)) {
      throw new Error(`${label}: ${page.url()} answered HTTP ${status}`);
    }
    if (status === 200) html = await response.text();
  }
  const b = await beacon;
  check(b.status() === 200, `${label}: POST /api/v1/views answers 200 (got ${b.status()})`);
  const json = await b.json().catch(() => ({}));
  const views = Number(json?.totals?.views);
  check(Number.isFinite(views), `${label}: the beacon's answer carries totals.views`);
  // The script writes the answer into the page: wait until it shows.
  let shown = NaN;
  for (let i = 0; i < 50; i++) {
    shown = Number(squash(await page.textContent('#visitors-count')));
    if (shown === views) break;
    await page.waitForTimeout(100);
  }
  check(shown === views, `${label}: the page shows the beacon's total ${views} (shows ${shown})`);
  return { html, views, shown, status, counted: json?.counted };
}

function htmlCount(html) {
  const m = /id="visitors-count">([^<]*)</.exec(html || '');
  return m ? Number(m[1]) : NaN;
}
function htmlToken(html) {
  const m = /data-view-token="([^"]*)"/.exec(html || '');
  return m ? m[1] : null;
}

// The page as a reader sees it, in `locale`.
async function checkPage(page, locale) {
  const e = EXPECTED[locale];
  const where = `/${locale}/articles/${slug}`;
  check(await page.getAttribute('html', 'lang') === locale, `${where}: <html lang="${locale}">`);
  check(squash(await page.textContent('#article-title')) === e.title,
        `${where}: the title is "${e.title}"`);
  check(squash(await page.title()).includes(e.title), `${where}: <title> names the article`);

  const crumbs = await page.$$eval('#breadcrumb a, #breadcrumb [aria-current]',
                                   (els) => els.map((x) => x.textContent.trim()));
  check(JSON.stringify(crumbs) === JSON.stringify(e.crumbs),
        `${where}: breadcrumb ${e.crumbs.join(' > ')} (got ${crumbs.join(' > ')})`);
  const crumbText = squash(await page.textContent('#breadcrumb'));
  check(crumbText === e.crumbs.join(' > '),
        `${where}: breadcrumb reads "${e.crumbs.join(' > ')}" (reads "${crumbText}")`);
  const crumbLinks = await page.$$eval('#breadcrumb a', (els) => els.map((x) => x.getAttribute('href')));
  check(crumbLinks[0] === `/${locale}/`, `${where}: the breadcrumb's first link is /${locale}/`);
  check(crumbLinks.slice(1).every((h) => h.startsWith(`/${locale}/categories/`)),
        `${where}: the other breadcrumb links are /${locale}/categories/... (${crumbLinks})`);

  const date = squash(await page.textContent('#article-date'));
  check(e.date.test(date), `${where}: the date reads "${date}" (want ${e.date})`);
  const visitors = squash(await page.textContent('#visitors'));
  check(e.visitors.test(visitors), `${where}: the visitors line reads "${visitors}" (want ${e.visitors})`);

  check(squash(await page.textContent('#related h2')) === e.related,
        `${where}: the related section is headed "${e.related}"`);
  const related = await page.$$eval('#related a', (els) =>
    els.map((x) => ({ href: x.getAttribute('href'), text: x.textContent.trim() })));
  check(related.length >= expectRelated,
        `${where}: at least ${expectRelated} related links (got ${related.length})`);
  for (const r of related) {
    check(r.href.startsWith(`/${locale}/articles/`) && !r.href.endsWith(`/${slug}`) && r.text,
          `${where}: related link "${r.text}" -> ${r.href} is another article in ${locale}`);
    const tab = await page.context().newPage();
    const res = await tab.goto(baseUrl + r.href);
    const title = squash(await tab.textContent('#article-title').catch(() => ''));
    check(res.status() === 200 && title === r.text,
          `${where}: related link ${r.href} opens "${title}" (HTTP ${res.status()})`);
    await tab.close();
  }

  const switchText = squash(await page.textContent('#lang-switch'));
  check(switchText === e.switchText, `${where}: the language switch reads "${e.switchText}" (reads "${switchText}")`);
  const current = squash(await page.textContent('#lang-switch [aria-current]').catch(() => ''));
  check(current === e.current, `${where}: the switch marks ${e.current} as the current language`);
  const other = OTHER[locale];
  const otherHref = await page.getAttribute(`#lang-switch a[hreflang="${other}"]`, 'href');
  check(otherHref === `/${other}/articles/${slug}`,
        `${where}: the switch links the ${other} page /${other}/articles/${slug} (links ${otherHref})`);
  const head = await page.evaluate(() => ({
    canonical: document.querySelector('link[rel=canonical]')?.href,
    alternates: [...document.querySelectorAll('link[rel=alternate][hreflang]')]
      .map((l) => [l.getAttribute('hreflang'), new URL(l.href).pathname]),
    ld: [...document.querySelectorAll('script[type="application/ld+json"]')].map((x) => x.textContent),
    ogTitle: document.querySelector('meta[property="og:title"]')?.content,
  }));
  check(head.canonical && new URL(head.canonical).pathname === where,
        `${where}: <link rel=canonical> names this page (${head.canonical})`);
  const alt = Object.fromEntries(head.alternates);
  check(alt.en === `/en/articles/${slug}` && alt['zh-CN'] === `/zh-CN/articles/${slug}` && !!alt['x-default'],
        `${where}: hreflang alternates en, zh-CN and x-default (${JSON.stringify(head.alternates)})`);
  let ld = null;
  try { ld = JSON.parse(head.ld[0]); } catch { ld = null; }
  check(ld?.['@type'] === 'NewsArticle' && ld?.headline === e.title && ld?.inLanguage === locale,
        `${where}: JSON-LD NewsArticle with this headline and inLanguage ${locale}`);
  check(head.ogTitle === e.title, `${where}: og:title is the title`);
  const footer = squash(await page.textContent('footer'));
  check(footer.includes(e.footer), `${where}: a footer ("${footer}")`);
  check(await page.locator('header').count() > 0, `${where}: a header`);

  const cover = await page.$('figure.cover img');
  check(!!cover, `${where}: a cover image`);
  if (cover) {
    const loaded = await cover.evaluate((img) => img.complete && img.naturalWidth > 0);
    check(loaded, `${where}: the cover image ${await cover.getAttribute('src')} loads`);
    const caption = squash(await page.textContent('figure.cover figcaption').catch(() => ''));
    check(caption === e.caption, `${where}: the cover's caption reads "${e.caption}" (reads "${caption}")`);
  }
}

const pageUrl = (locale) => `${baseUrl}/${locale}/articles/${slug}`;

try {
  fs.mkdirSync(artifacts, { recursive: true });
  console.log(`seed page tests: ${pageUrl('en')} and ${pageUrl('zh-CN')}`);

  // Visitor A: the first reader of the English page.
  console.log('visitor A (new) opens the English page');
  const a = await newVisitor();
  const a1 = await viewWith(a.page, 'A first view (en)', () => a.page.goto(pageUrl('en')));
  check(a1.html !== null, 'A first view: the HTML came from the server');
  const h0 = htmlCount(a1.html);
  const token0 = htmlToken(a1.html);
  check(Number.isFinite(h0), `A first view: the HTML carries a count (${h0})`);
  check(!!token0, 'A first view: the HTML carries a view token');
  check(a1.views >= h0 + 1, `A first view: the beacon's total ${a1.views} counts this view (HTML said ${h0})`);
  const aCookies = (await a.context.cookies(baseUrl)).filter((c) => c.name === 'bulletin_vid');
  check(aCookies.length === 1 && aCookies[0].httpOnly,
        'A first view: a first-party HttpOnly visitor cookie bulletin_vid is set');
  await checkPage(a.page, 'en');

  console.log('visitor A reloads, then opens the page again: not a new visitor');
  const a2 = await viewWith(a.page, 'A reload (en)', () => a.page.reload());
  check(a2.views === a1.views, `A reload: the total stays ${a1.views} (got ${a2.views})`);
  const a3 = await viewWith(a.page, 'A second visit (en)', () => a.page.goto(pageUrl('en')));
  check(a3.views === a1.views, `A second visit: the total stays ${a1.views} (got ${a3.views})`);

  // Visitor B: a new reader served the HTML from bulletin-web's response cache.
  console.log('visitor B (new) opens the English page, served from the response cache');
  const b = await newVisitor();
  const b1 = await viewWith(b.page, 'B first view (en)', () => b.page.goto(pageUrl('en')));
  check(b1.html !== null && htmlToken(b1.html) === token0 && htmlCount(b1.html) === h0,
        `B first view: the HTML is the cached answer A got (same view token, stale count ${h0})`);
  check(b1.views === a1.views + 1,
        `B first view: a new visitor adds exactly one: ${a1.views} -> ${b1.views}`);
  const bCookies = (await b.context.cookies(baseUrl)).filter((c) => c.name === 'bulletin_vid');
  check(bCookies.length === 1 && aCookies.length === 1 && bCookies[0].value !== aCookies[0].value,
        'B first view: B has a visitor cookie of its own');
  const b2 = await viewWith(b.page, 'B reload (en)', () => b.page.reload());
  check(b2.views === b1.views, `B reload: the total stays ${b1.views} (got ${b2.views})`);
  await b.page.screenshot({ path: path.join(artifacts, 'seed-en.png'), fullPage: true });

  // Visitor A follows the language switch: the same reader of the same article.
  console.log('visitor A clicks 简体中文');
  const a4 = await viewWith(a.page, 'A switches to zh-CN', () => Promise.all([
    a.page.waitForNavigation(), a.page.click('#lang-switch a[hreflang="zh-CN"]'),
  ]).then(([r]) => r));
  check(new URL(a.page.url()).pathname === `/zh-CN/articles/${slug}`,
        `the switch leads to /zh-CN/articles/${slug} (at ${a.page.url()})`);
  check(a4.views === b1.views, `A in Chinese: the same visitor adds nothing: ${b1.views} (got ${a4.views})`);
  await checkPage(a.page, 'zh-CN');
  const langCookie = (await a.context.cookies(baseUrl)).find((c) => c.name === 'bulletin_lang');
  check(langCookie?.value === 'zh-CN', 'the switch remembers the choice (cookie bulletin_lang=zh-CN)');

  // Visitor C: a new reader of the Chinese page, cached since A's view.
  console.log('visitor C (new) opens the Chinese page, served from the response cache');
  const c = await newVisitor({ locale: 'zh-CN' });
  const c1 = await viewWith(c.page, 'C first view (zh-CN)', () => c.page.goto(pageUrl('zh-CN')));
  check(c1.html !== null && htmlToken(c1.html) === htmlToken(a4.html ?? '') && a4.html !== null,
        'C first view: the HTML is the cached answer A got (same view token)');
  check(c1.views === b1.views + 1, `C first view: a new visitor adds exactly one: ${b1.views} -> ${c1.views}`);
  const c2 = await viewWith(c.page, 'C reload (zh-CN)', () => c.page.reload());
  check(c2.views === c1.views, `C reload: the total stays ${c1.views} (got ${c2.views})`);
  await checkPage(c.page, 'zh-CN');
  console.log('visitor C clicks English');
  await Promise.all([c.page.waitForNavigation(), c.page.click('#lang-switch a[hreflang="en"]')]);
  check(new URL(c.page.url()).pathname === `/en/articles/${slug}`,
        `the switch leads back to /en/articles/${slug} (at ${c.page.url()})`);
  await c.page.goto(pageUrl('zh-CN'));
  await c.page.waitForFunction((n) => document.getElementById('visitors-count')?.textContent.trim() === String(n),
                               c1.views).catch(() => {});
  await c.page.screenshot({ path: path.join(artifacts, 'seed-zh-CN.png'), fullPage: true });

  // Visitor D reads without JavaScript: the <noscript> pixel counts the view.
  console.log('visitor D (new, no JavaScript) opens the English page');
  const d = await newVisitor({ javaScriptEnabled: false });
  const pixel = d.page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/views/pixel',
                                       { timeout: 15000 });
  const dr = await d.page.goto(pageUrl('en'));
  check(dr.status() === 200, `D: the page answers 200 without JavaScript (got ${dr.status()})`);
  const p = await pixel;
  check(p.status() === 200, `D: the <noscript> pixel answers 200 (got ${p.status()})`);
  check(squash(await d.page.textContent('#article-title')) === EXPECTED.en.title,
        'D: the page reads without JavaScript (title shown)');
  await d.page.screenshot({ path: path.join(artifacts, 'seed-en-nojs.png'), fullPage: true });
  const e = await newVisitor();
  const e1 = await viewWith(e.page, 'E first view (en)', () => e.page.goto(pageUrl('en')));
  check(e1.views === c1.views + 2,
        `D's pixel and E's beacon each add one: ${c1.views} -> ${e1.views} (want ${c1.views + 2})`);

  // Visitor F sends Sec-GPC: 1: no cookie, analytics tells readers apart by a daily-salted
  // hash of address and user agent (the agent made unique to this run, so a second run
  // against the same server is a new reader too).
  console.log('visitor F (new, Sec-GPC: 1) opens the English page');
  const f = await newVisitor({
    extraHTTPHeaders: { 'Sec-GPC': '1' },
    userAgent: `${userAgent} BulletinBrowserTest/${started.toString(36)}`,
  });
  const f1 = await viewWith(f.page, 'F first view (en, GPC)', () => f.page.goto(pageUrl('en')));
  check(f1.views === e1.views + 1, `F first view: a new visitor adds exactly one: ${e1.views} -> ${f1.views}`);
  const fCookies = (await f.context.cookies(baseUrl)).filter((x) => x.name === 'bulletin_vid');
  check(fCookies.length === 0, 'F first view: no visitor cookie with Sec-GPC: 1');
  const f2 = await viewWith(f.page, 'F reload (en, GPC)', () => f.page.reload());
  check(f2.views === f1.views, `F reload: the total stays ${f1.views} (got ${f2.views})`);

  // A forged view token counts nothing and says why.
  const forged = await e.page.evaluate(async () => {
    const token = document.getElementById('article').dataset.viewToken;
    const last = token.slice(-1) === 'A' ? 'B' : 'A';
    const r = await fetch('/api/v1/views', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: token.slice(0, -1) + last, locale: 'en' }),
    });
    return { status: r.status, body: await r.text() };
  });
  check(forged.status === 400 && /token/i.test(forged.body),
        `a forged view token is refused with 400 naming the token (${forged.status} ${forged.body.slice(0, 120)})`);
  const g = await newVisitor();
  const g1 = await viewWith(g.page, 'G first view (en)', () => g.page.goto(pageUrl('en')));
  check(g1.views === f1.views + 1,
        `the forged token counted nothing, G adds one: ${f1.views} -> ${g1.views}`);

  // / goes to the reader's language: Accept-Language, unless a choice was remembered.
  const rootPath = async (page) => {
    await page.goto(`${baseUrl}/`);
    return new URL(page.url()).pathname;
  };
  const h = await newVisitor({ locale: 'zh-CN' });
  check(await rootPath(h.page) === '/zh-CN/', '/ sends Accept-Language: zh-CN to /zh-CN/');
  check(await rootPath(c.page) === '/en/',
        '/ sends C (Accept-Language: zh-CN, chose English in the switch) to /en/');
  check(await rootPath(g.page) === '/en/', '/ sends Accept-Language: en-US to /en/');
  check(await rootPath(a.page) === '/zh-CN/',
        '/ sends A (Accept-Language: en-US, chose 简体中文 in the switch) to /zh-CN/');

  for (const x of [a, b, c, d, e, f, g, h]) await x.context.close();
} catch (err) {
  failures.push(`stopped early: ${err?.stack || err}`);
  console.log(`  FAIL  stopped early: ${err?.message || err}`);
  // What the last page looked like when it stopped.
  for (const context of browser.contexts()) {
    for (const page of context.pages()) {
      await page.screenshot({ path: path.join(artifacts, 'failure.png'), fullPage: true })
        .catch(() => {});
    }
  }
} finally {
  await browser.close();
}

for (const err of pageErrors) failures.push(`script error: ${err}`);
for (const w of warnings) console.log(`  warn  ${w}`);
const shots = ['seed-en.png', 'seed-zh-CN.png', 'seed-en-nojs.png', 'failure.png']
  .map((f) => path.join(artifacts, f)).filter((f) => fs.existsSync(f) && fs.statSync(f).mtimeMs >= started);
console.log(`screenshots: ${shots.length ? shots.join(' ') : 'none'}`);
if (failures.length > 0) {
  console.error(`\nseed page tests FAILED (${failures.length}):`);
  for (const f of failures) console.error(`  - ${f}`);
  process.exit(1);
}
console.log('seed page tests passed');
