import { expect, test } from '@playwright/test';
import { recommendationRows, signIn } from './helpers.ts';
import { VIEWER } from './users.ts';

test('a viewer sees recommendations and their evidence but cannot approve or reject', async ({ page }) => {
  await signIn(page, VIEWER);
  await page.goto('/?status=all');
  await expect(page.getByTestId('signed-in-user')).toContainText('viewer');
  await expect(page.getByTestId('read-only-note')).toBeVisible();
  const row = recommendationRows(page).first();
  await expect(row).toBeVisible();

  await expect(page.getByRole('button', { name: 'Approve', exact: true })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Reject', exact: true })).toHaveCount(0);
  await expect(page.getByRole('checkbox')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Run the engine now' })).toHaveCount(0);
  await row.getByRole('button', { name: 'Evidence' }).click();
  await expect(row.getByTestId('evidence')).toBeVisible();

  // The server refuses it too, not just the page: a viewer's approval is a 403 in words.
  const me = (await (await page.request.get('/api/auth/me')).json()) as { csrfToken: string };
  const id = (await row.getAttribute('data-id'))!;
  const response = await page.request.post(`/api/recommendations/${id}/approve`, {
    headers: { 'x-csrf-token': me.csrfToken },
    data: {},
  });
  expect(response.status()).toBe(403);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe('forbidden');

  await page.goto('/settings');
  await expect(page.getByText('Only an admin can save settings.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save new version' })).toHaveCount(0);
});
