// Drives Debian's Chromium (headless) through the yeji web app on a demo
// workspace: signing in (a wrong password first), overview, language switch,
// drill-down company → region → team → rep → KPI → rows, numbers checked
// against the JSON API, a scheme weight preview, an upload with a bad row,
// feedback drafted, edited (an invented number flagged) and sent, a plan
// drafted from it and agreed, signing out, and screenshots of the main pages.
//
// usage: node e2e.mjs BASE_URL SCREENSHOT_DIR
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [base, shots] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
const checks = [];
function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
  checks.push(what);
}
let context;
async function api(path) {
  // The browser's own session: the API answers what the signed-in director sees.
  const response = await context.request.get(base + path, { headers: { 'Accept-Language': 'en' } });
  if (!response.ok()) throw new Error(`${path}: ${response.status()} ${await response.text()}`);
  return response.json();
}
const grouped = (n) => Math.round(n).toLocaleString('en-US');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
         '--no-first-run', '--disable-component-update', '--disable-sync'],
});
try {
  context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  let transferred = 0;
  page.on('requestfinished', async (request) => {
    const sizes = await request.sizes().catch(() => null);
    if (sizes) transferred += sizes.responseBodySize + sizes.responseHeadersSize;
  });

  // Signing in: a page sends the visitor to the sign-in page, a wrong password
  // is refused, the right one leads back to where they were going.
  await page.goto(base + '/');
  await page.waitForSelector('#signin');
  check(page.url().includes('/login?next='), 'an unsigned visitor is sent to the sign-in page');
  await page.fill('#login', 'director');
  await page.fill('#password', 'not-the-password');
  await page.click('#signin button[type="submit"]');
  await page.waitForSelector('#signin-error');
  check((await page.textContent('#signin-error')).includes('账号或密码不正确'), 'a wrong password is refused');
  await page.screenshot({ path: join(shots, 'sign-in.png'), fullPage: true });
  await page.fill('#login', 'director');
  await page.fill('#password', 'demo-director');
  await page.click('#signin button[type="submit"]');
  await page.waitForSelector('#who');
  check((await page.textContent('#who')).includes('王总监'), 'signed in as the demo director');

  // Overview in Chinese (the browser asks for zh-CN), charts drawn.
  await page.goto(base + '/');
  await page.waitForSelector('body[data-charts-ready] .chart svg');
  await page.waitForLoadState('networkidle');
  check(await page.getAttribute('html', 'lang') === 'zh-CN', 'the overview follows Accept-Language zh-CN');
  check((await page.textContent('header nav')).includes('总览'), 'the navigation is in Chinese');
  check(await page.locator('.chart svg').count() >= 6, 'the overview draws its charts');
  writeFileSync(join(shots, 'first-load-bytes.txt'), String(transferred));
  await page.screenshot({ path: join(shots, 'overview-zh.png'), fullPage: true });

  // Switch to English; the revenue card equals the API's company revenue.
  await page.click('header a.lang');
  await page.waitForSelector('html[lang="en"]');
  check((await page.textContent('header nav')).includes('Overview'), 'the language switch gives English');
  const overview = await api('/api/v1/overview?period=' + encodeURIComponent(await page.inputValue('#period')));
  const revenueCard = (await page.textContent('a.kpi-card[data-kpi="revenue"] .value')).trim();
  check(revenueCard === grouped(overview.company.kpis.revenue.value), `revenue card ${revenueCard} = API`);
  await page.screenshot({ path: join(shots, 'overview-en.png'), fullPage: true });

  // Drill down: region → team → rep, by the links on the pages.
  const region = overview.regions[0];
  await page.click(`section.card table.data a:text-is("${region.name}")`);
  await page.waitForSelector('section.headline');
  check((await page.textContent('h1')).includes(region.name), `drilled into region ${region.name}`);
  const regionView = await api(`/api/v1/entities/${encodeURIComponent(region.id)}?period=${overview.period}`);
  const team = regionView.members.find((m) => m.level === 'unit') || regionView.members[0];
  await page.click(`section.card table.data a:text-is("${team.name}")`);
  await page.waitForSelector('section.headline');
  const teamView = await api(`/api/v1/entities/${encodeURIComponent(team.id)}?period=${overview.period}`);
  const rep = teamView.members.find((m) => m.level === 'rep');
  await page.click(`section.card table.data a:text-is("${rep.name}")`);
  await page.waitForSelector('#score');
  const repView = await api(`/api/v1/entities/${encodeURIComponent(rep.id)}?period=${overview.period}`);
  const score = (await page.textContent('#score')).trim();
  check(score === (repView.entity.score == null ? '–' : repView.entity.score.toFixed(1)), `rep score ${score} = API`);
  const revenueCell = (await page.textContent('tr[data-kpi="revenue"] td.value')).trim();
  check(revenueCell === grouped(repView.entity.kpis.revenue.value), `rep revenue ${revenueCell} = API`);
  await page.waitForSelector('.chart svg');
  await page.screenshot({ path: join(shots, 'rep.png'), fullPage: true });

  // KPI → the rows behind it.
  await page.click('tr[data-kpi="revenue"] a');
  await page.waitForSelector('#row-count');
  const rows = await api(`/api/v1/entities/${encodeURIComponent(rep.id)}/kpis/revenue/rows?period=${overview.period}`);
  check(Number(await page.textContent('#row-count')) === rows.total, `row count ${rows.total} = API`);
  check(await page.locator('table.rows tbody tr').count() === Math.min(50, rows.total), 'the first page of rows');
  await page.screenshot({ path: join(shots, 'kpi-rows.png'), fullPage: true });

  // Scheme: change weights, the preview follows; an invalid sum is explained.
  await page.goto(base + '/scheme');
  await page.fill('input[name="w_revenue"]', '45');
  await page.waitForSelector('#preview-error');
  check((await page.textContent('#preview-error')).includes('100'), 'weights not adding up to 100 are explained');
  await page.fill('input[name="w_gross_margin"]', '5');
  await page.waitForSelector('#preview table.preview');
  const moved = await page.locator('#preview table.preview tbody tr').count();
  check(moved > 0, `the preview lists ${moved} reps under the new weights`);
  await page.screenshot({ path: join(shots, 'scheme-preview.png'), fullPage: true });
  // Add a KPI (unsaved until saved), then remove it again.
  await page.selectOption('#add-kpi', 'win_rate');
  await page.click('#add');
  await page.waitForSelector('tr[data-kpi="win_rate"]');
  check(await page.isVisible('#unsaved'), 'an added KPI is shown as not saved yet');
  await page.click('tr[data-kpi="win_rate"] button.remove');
  await page.waitForSelector('#weights');
  check(await page.locator('tr[data-kpi="win_rate"]').count() === 0, 'a removed KPI leaves the form');

  // Upload a file with a bad row: nothing lands, the reject is shown.
  await page.goto(base + '/imports');
  await page.setInputFiles('input[name="files"]', {
    name: 'orders.csv', mimeType: 'text/csv',
    buffer: Buffer.from('order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,amount\nX1,1,2026-02-30,R1,K1,P1,1,100\n'),
  });
  await page.click('form.upload button[type="submit"]');
  await page.waitForSelector('#outcome');
  const outcome = await page.textContent('#outcome');
  check(outcome.includes('2026-02-30') && outcome.includes('Nothing was imported'), 'the bad row is reported and nothing lands');
  await page.screenshot({ path: join(shots, 'import-rejects.png'), fullPage: true });

  // Comparison of the two best reps.
  const [a, b] = overview.leaderboard;
  await page.goto(`${base}/compare?ids=${encodeURIComponent(a.id + ',' + b.id)}&period=${overview.period}&period_b=${overview.year_ago_period}`);
  await page.waitForSelector('table.compare-table');
  await page.screenshot({ path: join(shots, 'compare.png'), fullPage: true });

  // Feedback for the weakest rep: draft it from their page, edit a point, see
  // an invented number flagged, send it; then a plan drafted from it, agreed
  // by the manager.
  const ranked = (await api(`/api/v1/evaluation?period=${overview.period}&level=rep`)).results.filter((r) => r.rank != null);
  const weakest = ranked.reduce((a, b) => (b.rank > a.rank ? b : a));
  await page.goto(`${base}/entity/${encodeURIComponent(weakest.id)}?period=${overview.period}`);
  await page.click('#feedback form button[type="submit"]');
  await page.waitForSelector('#feedback-edit');
  const fields = page.locator('#feedback-edit textarea');
  const draftId = page.url().split('/').pop();
  const item = await api(`/api/v1/feedback/${draftId}`);
  const points = item.draft.sections.flatMap((s) => s.points);
  check(await fields.count() === points.length, `one field per point (${points.length})`);
  check(await page.locator('#ungrounded').count() === 0, "yeji's own draft has no unchecked number");
  await fields.first().fill(points[0].text + ' Revenue was 999.9K once.');
  await page.click('#feedback-edit button[value="edit"]');
  await page.waitForSelector('#ungrounded');
  check((await page.textContent('#ungrounded')).includes('999.9'), 'a number yeji did not compute is flagged');
  await page.locator('#feedback-edit textarea').first().fill(points[0].text + ' Well done.');
  await page.click('#feedback-edit button[value="send"]');
  await page.waitForSelector('#feedback-events li');
  check((await page.textContent('#feedback-state')).trim() === 'sent', 'saved and sent');
  const sent = await api(`/api/v1/feedback/${draftId}`);
  check(sent.draft.sections[0].points[0].text.endsWith('Well done.'), 'the edit is what was sent');
  check(sent.events.map((e) => e.step).join(',') === 'edit,send', 'the edit and the send are in the conversation');
  await page.screenshot({ path: join(shots, 'feedback.png'), fullPage: true });
  const pdf = await context.request.get(`${base}/feedback/${draftId}/export/pdf`);
  check(pdf.ok() && pdf.headers()['content-type'] === 'application/pdf', 'the feedback downloads as a PDF');

  await page.goto(`${base}/entity/${encodeURIComponent(weakest.id)}?period=${overview.period}`);
  check(item.draft.sections[1].points.some((p) => p.kpi != null), 'the weakest rep has something to improve');
  {
    await page.click('#plans a[href*="from_feedback"]');
    await page.waitForSelector('textarea[name="toml"]');
    check((await page.inputValue('textarea[name="toml"]')).includes('[plan]'), 'the plan form holds a drafted plan');
    await page.click('#new-plan button[type="submit"]');
    await page.waitForSelector('#plan-state');
    check((await page.textContent('#plan-state')).includes('to be agreed'), 'a new plan waits for both sides');
    await page.click('button[value="agree"]');
    await page.waitForSelector('#plan-state');
    check((await page.textContent('#plan')).includes('agreed by the manager'), "the manager's agreement is recorded");
    await page.screenshot({ path: join(shots, 'plan.png'), fullPage: true });
  }

  // Signing out ends the session: the pages send the visitor to sign in again.
  await page.click('#signout');
  await page.waitForSelector('#signin');
  await page.goto(base + '/compare');
  check(page.url().includes('/login?next='), 'signed out, the pages ask to sign in again');

  check(errors.length === 0, `no script errors (${errors.join('; ')})`);
  console.log(JSON.stringify({ checks, first_load_bytes: transferred }));
} finally {
  await browser.close();
}
