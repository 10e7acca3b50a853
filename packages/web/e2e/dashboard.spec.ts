import { expect, test, type Page } from '@playwright/test';
import {
  recommendationRows,
  saveElementScreenshot,
  saveScreenshot,
  signIn,
  signInWithForm,
} from './helpers.ts';
import { ADMIN } from './users.ts';

// One admin's morning, in order: the steps share the demo server's data (an approval shows up in
// History; a settings change shows up in the next run).
test.describe.configure({ mode: 'serial' });

// The dashboard's main page must be interactive within this many milliseconds (issue: under 2 s).
const TTI_BUDGET_MS = Number(process.env.ROAS_E2E_TTI_BUDGET_MS ?? 2000);

let page: Page;

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
});

test.afterAll(async () => {
  await page.close();
});

test('signs in, refusing a wrong password in words', async () => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await saveScreenshot(page, 'login');

  await signInWithForm(page, { username: ADMIN.username, password: 'not-the-password' });
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');

  await signInWithForm(page, ADMIN);
  await expect(page.getByRole('heading', { name: 'Recommendations' })).toBeVisible();
  await expect(page.getByTestId('signed-in-user')).toContainText(ADMIN.username);
  await expect(page.getByTestId('signed-in-user')).toContainText('admin');
});

test('shows the demo recommendations, grouped by action, interactive in under 2 s', async () => {
  // Time-to-interactive of a fresh load: navigation start to the list rendered with a clickable row.
  await page.goto('/');
  const firstEvidence = recommendationRows(page).first().getByRole('button', { name: 'Evidence' });
  await expect(firstEvidence).toBeEnabled();
  const observed = await page.evaluate(() => performance.now());
  const marked = await page.evaluate(
    () => performance.getEntriesByName('roas:recommendations-ready')[0]?.startTime ?? null,
  );
  const tti = Math.round(marked ?? observed);
  console.log(
    `time-to-interactive (recommendations page): ${tti} ms (list ready mark ${marked === null ? 'missing' : `${Math.round(marked)} ms`}, seen by the test at ${Math.round(observed)} ms; budget ${TTI_BUDGET_MS} ms)`,
  );
  expect(tti).toBeLessThan(TTI_BUDGET_MS);

  const groups = page.getByTestId('recommendation-groups').getByRole('heading', { level: 2 });
  await expect(groups.first()).toBeVisible();
  expect(await recommendationRows(page).count()).toBeGreaterThan(0);
  // Confidence and the top reasons at a glance, on every row.
  const first = recommendationRows(page).first();
  await expect(first.getByTitle(/confidence$/)).toBeVisible();
  await expect(first.getByRole('list', { name: 'Top reasons' }).getByRole('listitem').first()).toBeVisible();
  await saveScreenshot(page, 'recommendations');
  await saveScreenshot(page, 'recommendations-full', { fullPage: true });
});

test('shows the full evidence one click away', async () => {
  const first = recommendationRows(page).first();
  await first.getByRole('button', { name: 'Evidence' }).click();
  const evidence = first.getByTestId('evidence');
  await expect(evidence).toBeVisible();
  await expect(evidence.getByRole('columnheader', { name: 'Observed' })).toBeVisible();
  await expect(evidence.getByRole('columnheader', { name: 'Threshold' })).toBeVisible();
  await expect(evidence.getByText(/not met|met/).first()).toBeVisible();
  await expect(evidence.getByRole('heading', { name: 'Guardrails' })).toBeVisible();
  await expect(evidence.getByRole('heading', { name: 'Risks' })).toBeVisible();
  await saveElementScreenshot(first, 'evidence');
  await first.getByRole('button', { name: 'Hide evidence' }).click();
  await expect(evidence).toBeHidden();
});

test('filters by action and confidence, and keeps the filter in the URL', async () => {
  const action = await recommendationRows(page).first().getAttribute('data-action');
  expect(action).toBeTruthy();
  const label = action!.charAt(0) + action!.slice(1).toLowerCase();
  await page.getByRole('form', { name: 'Filters' }).getByRole('button', { name: label, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`action=${action}`));
  await expect(recommendationRows(page).first()).toBeVisible();
  const actions = await recommendationRows(page).evaluateAll((rows) =>
    rows.map((r) => r.getAttribute('data-action')),
  );
  expect(new Set(actions)).toEqual(new Set([action]));

  // A filter that matches nothing says so in words.
  await page.goto(
    `/?action=${action}&audience=retargeting&stage=testing&confidence=LOW&from=2000-01-01&to=2000-01-02`,
  );
  await expect(page.getByText('No recommendation matches these filters.')).toBeVisible();

  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(recommendationRows(page).first()).toBeVisible();
});

test('opens an ad set and shows its charts, with lag-affected days marked', async () => {
  const first = recommendationRows(page).first();
  const name = (await first.getByRole('link').first().textContent())!.trim();
  await first.getByRole('link', { name }).click();
  await expect(page).toHaveURL(/\/adsets\//);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const roasChart = page.getByTestId('chart-roas');
  await expect(roasChart.locator('svg.recharts-surface')).toBeVisible();
  await expect(roasChart.locator('.recharts-line-curve').first()).toBeVisible();
  for (const metric of ['spend', 'cpa', 'ctr', 'frequency']) {
    await expect(page.getByTestId(`chart-${metric}`).locator('svg.recharts-surface')).toBeVisible();
  }
  await expect(page.getByRole('list', { name: 'Chart legend' })).toContainText(
    'still collecting late conversions',
  );
  await expect(page.getByRole('heading', { name: 'Recommendation history' })).toBeVisible();
  await expect(page.getByTestId('adset-recommendation').first()).toBeVisible();
  await saveScreenshot(page, 'adset', { fullPage: true });
});

let approved: { id: string; name: string } | undefined;

test('approves one recommendation', async () => {
  await page.goto('/');
  const row = recommendationRows(page).first();
  const id = (await row.getAttribute('data-id'))!;
  const name = (await row.getByRole('link').first().textContent())!.trim();
  await row.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: `Approved ${name}.` })).toBeVisible();
  // Approved ones leave the pending list.
  await expect(page.locator(`[data-testid="recommendation"][data-id="${id}"]`)).toHaveCount(0);
  approved = { id, name };
});

test('bulk-rejects two recommendations with a comment', async () => {
  const rows = recommendationRows(page);
  test.skip((await rows.count()) < 2, 'the demo has fewer than two pending recommendations left');
  const ids = [(await rows.nth(0).getAttribute('data-id'))!, (await rows.nth(1).getAttribute('data-id'))!];
  await rows.nth(0).getByRole('checkbox').check();
  await rows.nth(1).getByRole('checkbox').check();
  const bar = page.getByRole('region', { name: 'Bulk review' });
  await expect(bar).toContainText('2 selected');
  await bar.getByLabel('Comment for the selected recommendations').fill('creative refresh first');
  await saveScreenshot(page, 'bulk-review');
  await bar.getByRole('button', { name: 'Reject 2' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Rejected 2 recommendations.' })).toBeVisible();
  for (const id of ids)
    await expect(page.locator(`[data-testid="recommendation"][data-id="${id}"]`)).toHaveCount(0);
});

test('finds the approval in History, with who approved it', async () => {
  expect(approved).toBeDefined();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'History' }).click();
  await expect(page.getByRole('heading', { name: 'History' })).toBeVisible();
  const entry = page.locator(`[data-testid="history-row"][data-recommendation-id="${approved!.id}"]`);
  await expect(entry).toBeVisible();
  await expect(entry).toContainText('Approved');
  await expect(entry).toContainText(approved!.name);
  await expect(entry).toContainText(`by ${ADMIN.username}`);
  await expect(page.getByText('creative refresh first').first()).toBeVisible();
  await saveScreenshot(page, 'history');
});

test('outcomes say in words that there are none yet', async () => {
  await page.goto('/outcomes');
  await expect(page.getByRole('heading', { name: 'Outcomes' })).toBeVisible();
  await expect(page.getByText(/No outcomes measured yet|By rule/)).toBeVisible();
  await saveScreenshot(page, 'outcomes');
});

test('shows accounts and their health', async () => {
  await page.goto('/accounts');
  const account = page.getByTestId('accounts').getByRole('listitem').first();
  await expect(account).toBeVisible();
  await saveScreenshot(page, 'accounts');
  await account.getByRole('link', { name: 'Health and ad sets →' }).click();
  await expect(page.getByRole('heading', { name: 'Health' })).toBeVisible();
  await expect(page.getByRole('heading', { name: /Ad sets/ })).toBeVisible();
  await expect(page.getByRole('table')).toBeVisible();
  await saveScreenshot(page, 'account-health', { fullPage: true });
});

test("shows each model's accuracy against its baselines and when it was trained", async () => {
  await page.goto('/models');
  await expect(page.getByRole('heading', { name: 'Models' })).toBeVisible();
  const table = page.getByTestId('models');
  // The demo uses the shipped cold-start models until it has trained its own.
  await expect(table.getByRole('cell', { name: 'Cold start' }).first()).toBeVisible();
  await expect(table.getByText(/ROAS forecast/).first()).toBeVisible();
  await saveScreenshot(page, 'models', { fullPage: true });
});

test('lists proposed threshold changes in Settings (none until outcomes are measured)', async () => {
  await page.goto('/settings');
  const proposals = page.getByTestId('threshold-proposals');
  await expect(proposals.getByRole('heading', { name: 'Proposed threshold changes' })).toBeVisible();
  await expect(proposals.getByText('No open proposals.')).toBeVisible();
});

test('changes a threshold in Settings and sees the recommendations change on the next run', async () => {
  // Judging an ad set will need 100,000 purchases (no ad set has that many), with Retest below that
  // gate: the next run must say so in the evidence, and change what it recommends.
  type Item = {
    entity: { id: string };
    action: string;
    reasons: { ruleId: string; observed: number | null }[];
  };
  const list = async () =>
    (
      (await (await page.request.get('/api/recommendations?status=pending&limit=200')).json()) as {
        items: Item[];
      }
    ).items;
  const before = await list();
  const actionBefore = new Map(before.map((rec) => [rec.entity.id, rec.action]));
  const target = before.find((rec) =>
    rec.reasons.some((r) => r.ruleId === 'gate.minPurchases' && (r.observed ?? 0) > 0),
  );
  expect(target, 'a pending recommendation for an ad set with purchases').toBeDefined();

  await page.goto('/settings');
  const editor = page.getByLabel('Rules (YAML)');
  await expect(editor).not.toHaveValue('');
  const original = await editor.inputValue();
  expect(original).toMatch(/^ {2}minPurchases: \d+/m);
  expect(original).toMatch(/^ {2}belowGateAction: \w+/m);

  // A bad value is refused with its line number, and never saved.
  await editor.fill(original.replace(/^( {2}minPurchases: )\d+/m, '$1-5'));
  await page.getByRole('button', { name: 'Validate' }).click();
  const issues = page.getByTestId('settings-issues');
  await expect(issues).toBeVisible();
  const badLine = original.split('\n').findIndex((line) => /^ {2}minPurchases:/.test(line)) + 1;
  const lineButton = issues.getByRole('button', { name: new RegExp(`^line ${badLine}\\b`) });
  await expect(lineButton).toBeVisible();
  await lineButton.click();
  await saveScreenshot(page, 'settings-invalid');

  await editor.fill(
    original
      .replace(/^( {2}minPurchases: )\d+/m, '$1100000')
      .replace(/^( {2}belowGateAction: )\w+/m, '$1RETEST'),
  );
  await page.getByLabel('What changed and why (kept with the version)').fill('e2e: judge nothing yet');
  await page.getByRole('button', { name: 'Save new version' }).click();
  await expect(page.getByRole('status').filter({ hasText: /Saved as version \d+/ })).toBeVisible();
  const versions = page.getByTestId('settings-versions');
  await expect(versions).toContainText('e2e: judge nothing yet');
  await versions.getByRole('button').first().click();
  await expect(page.getByTestId('settings-diff')).toContainText('noiseGate.minPurchases');
  await saveScreenshot(page, 'settings', { fullPage: true });

  await page.goto('/');
  await page.getByRole('button', { name: 'Run the engine now' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'New run finished' })).toBeVisible({
    timeout: 60_000,
  });

  // The evidence shows the new threshold, failed.
  const row = page.locator(`[data-testid="recommendation"][data-entity-id="${target!.entity.id}"]`).first();
  await row.getByRole('button', { name: 'Evidence' }).click();
  const gate = row.locator('[data-rule="gate.minPurchases"]');
  await expect(gate).toContainText('100,000');
  await expect(gate).toContainText('not met');
  // And what is recommended changed for at least one ad set, on the page.
  const shown = await recommendationRows(page).evaluateAll((rows) =>
    rows.map((r) => [r.getAttribute('data-entity-id'), r.getAttribute('data-action')] as const),
  );
  const changed = shown.filter(([entity, action]) => entity !== null && actionBefore.get(entity) !== action);
  console.log(
    `after the settings change: ${changed.length} of ${shown.length} ad sets got a different action`,
  );
  expect(changed.length).toBeGreaterThan(0);
  await expect(page.locator('[data-testid="recommendation"][data-action="RETEST"]').first()).toBeVisible();
});

test('works on a phone', async ({ browser }) => {
  const phone = await browser.newPage({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  await signIn(phone, ADMIN);
  await phone.goto('/');
  await expect(recommendationRows(phone).first()).toBeVisible();
  await expect(phone.getByRole('navigation', { name: 'Main (compact)' })).toBeVisible();
  // Nothing wider than the screen: no sideways scrolling on the main page.
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await saveScreenshot(phone, 'recommendations-phone');
  await phone.close();
});
