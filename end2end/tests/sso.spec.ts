// SSO in a real browser: the console on 127.0.0.1, the identity provider (npm oidc-provider) on
// localhost, so every hop is cross-site as in production and a wrong SameSite setting fails here.
// scripts/test.sh starts both and passes the console's address in QD_E2E_SSO_BASE_URL.
import { test, expect, Page, TestInfo } from '@playwright/test';
import * as path from 'path';

const console_ = process.env.QD_E2E_SSO_BASE_URL ?? '';

async function settle(page: Page, info: TestInfo) {
  if (info.project.name === 'js') {
    await page.waitForSelector('body[data-hydrated="true"]');
  }
}

async function shot(page: Page, info: TestInfo, name: string) {
  const file = path.join(__dirname, '..', 'screenshots', info.project.name, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
}

async function signInAs(page: Page, info: TestInfo, user: string) {
  await page.goto(`${console_}/login`);
  await settle(page, info);
  await page.getByTestId('sso-sign-in').click();
  await page.fill('input[name=login]', user);
  await page.fill('input[name=password]', 'any password');
  await page.locator('button[type=submit]').click();
  await page.locator('button[type=submit]').click();
  await expect(page).toHaveURL(`${console_}/`);
  await settle(page, info);
}

test.describe('SSO sign-in', () => {
  test.skip(!console_, 'needs the SSO console that scripts/test.sh starts');

  test('someone whose groups grant nothing is told whom to ask', async ({ page }, info) => {
    await signInAs(page, info, 'mallory');
    await expect(page.getByTestId('no-access')).toContainText('marketing');
    await expect(page.getByTestId('no-access')).toContainText('payments-oncall');
    await shot(page, info, '22-sso-no-access');
  });

  test('signs in through the identity provider and lands where it was going', async ({ page }, info) => {
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${console_}/envs/prod`);
    await expect(page).toHaveURL(/\/login\?next=/);
    await settle(page, info);
    await shot(page, info, '20-sso-login');
    await page.getByTestId('sso-sign-in').click();
    await expect(page).toHaveURL(/^http:\/\/localhost:\d+\//);
    await page.fill('input[name=login]', 'olga');
    await page.fill('input[name=password]', 'any password');
    await page.locator('button[type=submit]').click();
    // The provider asks for consent once per client.
    await page.locator('button[type=submit]').click();
    await expect(page).toHaveURL(`${console_}/envs/prod`);
    await settle(page, info);
    await expect(page.getByTestId('current-user')).toContainText('olga');
    await expect(page.getByTestId('current-user')).toContainText('operator in prod');
    await expect(page.getByRole('heading', { name: 'Production' })).toBeVisible();
    await shot(page, info, '21-sso-signed-in');

    await page.getByRole('button', { name: 'Sign out' }).click();
    // The provider confirms the sign-out, then sends the browser back to the console.
    await expect(page).toHaveURL(/^http:\/\/localhost:\d+\/session\/end/);
    await page.locator('button[type=submit]').first().click();
    await expect(page).toHaveURL(new RegExp(`^${console_.replace(/[.]/g, '\\.')}/login`));
    await page.goto(`${console_}/`);
    await expect(page).toHaveURL(/\/login\?next=/);
    expect(errors).toEqual([]);
  });
});
