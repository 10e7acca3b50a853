import { expect, type Locator, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SCREENSHOTS = join(repoRoot, 'docs', 'screenshots');

export type Credentials = { username: string; password: string };

/** Signs in through the API (fast); the browser context keeps the session cookie. */
export async function signIn(page: Page, user: Credentials): Promise<void> {
  const response = await page.request.post('/api/auth/login', { data: user });
  expect(response.status(), `sign in as ${user.username}`).toBe(200);
}

/** Signs in through the login form, as a person would. */
export async function signInWithForm(page: Page, user: Credentials): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function saveScreenshot(
  page: Page,
  name: string,
  options: { fullPage?: boolean } = {},
): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: options.fullPage ?? false });
}

export async function saveElementScreenshot(locator: Locator, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // The sticky header would otherwise cover the top of an element taller than the window.
  const style = await locator.page().addStyleTag({ content: 'header { position: static !important; }' });
  await locator.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  await style.evaluate((element) => (element as Element).remove());
}

export const recommendationRows = (page: Page) => page.getByTestId('recommendation');
