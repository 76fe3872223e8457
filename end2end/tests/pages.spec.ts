// Signs in through the dev form and visits every page, with JavaScript on and off, saving a
// screenshot of each to end2end/screenshots/<project>/ (git-ignored).
import { test, expect, Page, TestInfo } from '@playwright/test';
import * as path from 'path';
import { execFileSync } from 'child_process';

const withJs = (info: TestInfo) => info.project.name === 'js';

async function settle(page: Page, info: TestInfo) {
  if (withJs(info)) {
    await page.waitForSelector('body[data-hydrated="true"]');
  }
}

// Clicks an environment chip on a list page and waits until the table shows that environment
// alone: with JavaScript the address changes before the filtered rows arrive.
async function chooseEnv(page: Page, info: TestInfo, table: string, env: string, label: string) {
  await page.getByRole('link', { name: label, exact: true }).last().click();
  await expect(page).toHaveURL(new RegExp(`\\?env=${env}$`));
  await settle(page, info);
  await expect(page.getByTestId(table).locator(`a[href^="/envs/"]:not([href^="/envs/${env}/"])`)).toHaveCount(0);
}

async function shot(page: Page, info: TestInfo, name: string) {
  const file = path.join(__dirname, '..', 'screenshots', info.project.name, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
}

async function signIn(page: Page, info: TestInfo, role = 'operator', user = 'e2e-ana') {
  await page.goto('/login');
  await settle(page, info);
  await page.fill('input[name=user]', user);
  await page.selectOption('select[name=role]', role);
  await page.click('button[type=submit]');
  await expect(page.getByTestId('current-user')).toContainText(user);
  await settle(page, info);
}

// Hydration problems and panics show up as console errors: none are allowed.
function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}

test('the sign-in page explains the demo mode', async ({ page }, info) => {
  const response = await page.goto('/envs/prod');
  expect(page.url()).toContain('/login?next=');
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { name: 'Sign in to Quarterdeck' })).toBeVisible();
  await shot(page, info, '00-login');
});

test('overview shows every environment side by side', async ({ page }, info) => {
  const errors = watchConsole(page);
  await signIn(page, info);
  await expect(page.getByTestId('demo-banner')).toBeVisible();
  for (const env of ['dev', 'staging', 'prod']) {
    await expect(page.getByTestId(`env-card-${env}`)).toBeVisible();
  }
  await expect(page.getByTestId('env-card-prod')).toContainText('Alarms firing');
  await expect(page.getByTestId('oncall')).toContainText('platform:');
  await expect(page.getByText('prospa-api-cpu-high').first()).toBeVisible();
  await shot(page, info, '01-overview');
  expect(errors).toEqual([]);
});

test('environment page lists services, databases and alarms, and refreshes', async ({ page }, info) => {
  const errors = watchConsole(page);
  await signIn(page, info);
  await page.getByTestId('env-card-prod').getByRole('link', { name: 'Open environment' }).click();
  await expect(page).toHaveURL(/\/envs\/prod$/);
  await settle(page, info);
  await expect(page.getByRole('heading', { name: 'Production' })).toBeVisible();
  const services = page.getByTestId('services-table');
  for (const name of ['prospa-api', 'cloudarch-auth-service', 'cloudarch-main-app', 'overview-web', 'assessment-backend']) {
    await expect(services.getByRole('link', { name, exact: true })).toBeVisible();
  }
  await expect(page.getByTestId('databases-table').getByRole('link', { name: 'prospa-db' })).toBeVisible();
  await page.getByTestId('refresh').click();
  // Without JavaScript the form posts and the server sends the browser back to the page.
  await expect(page).toHaveURL(/\/envs\/prod\??$/);
  await settle(page, info);
  await expect(page.getByTestId('freshness')).toContainText('data');
  await shot(page, info, '02-environment-prod');
  // Find a service: a GET form, so the URL carries the filter with JavaScript or without.
  await page.getByTestId('service-filter').fill('prospa');
  await page.getByRole('button', { name: 'Find' }).click();
  await expect(page).toHaveURL(/\/envs\/prod\?q=prospa&page=1$/);
  await settle(page, info);
  await expect(services.getByRole('link', { name: 'prospa-api', exact: true })).toBeVisible();
  await expect(services.getByRole('link', { name: 'overview-web', exact: true })).toHaveCount(0);
  await expect(page.getByText(/of \d+ services match “prospa”/)).toBeVisible();
  await expect(page.getByTestId('all-alarms')).toHaveAttribute('href', '/alarms?env=prod');
  await shot(page, info, '02b-environment-filtered');
  expect(errors).toEqual([]);
});

test('service page shows deployments, images, tasks, events and charts', async ({ page }, info) => {
  const errors = watchConsole(page);
  await signIn(page, info);
  await page.goto('/envs/prod/services/prod-main/prospa-api');
  await settle(page, info);
  await expect(page.getByRole('heading', { name: 'prospa-api', exact: true })).toBeVisible();
  await expect(page.getByTestId('deployments-table')).toContainText('PRIMARY');
  await expect(page.getByTestId('containers-table')).toContainText('prospa-api');
  await expect(page.locator('svg[aria-label="CPU utilisation"]')).toBeVisible();
  await shot(page, info, '03-service');
  expect(errors).toEqual([]);
});

test('a service behind a load balancer shows its targets, counted on the environment page', async ({ page }, info) => {
  const errors = watchConsole(page);
  await signIn(page, info, 'viewer', 'e2e-lb');
  await page.goto('/envs/prod/services/prod-main/prospa-api');
  await settle(page, info);
  const lb = page.getByTestId('load-balancing');
  await expect(lb).toContainText('Target group prod-prospa-api');
  await expect(lb).toContainText('prod-web');
  await expect(lb.getByTestId('targets-table').locator('tr[data-state="healthy"]')).toHaveCount(2);
  await expect(page.getByTestId('targets-badge').first()).toContainText('2/2 healthy');
  await shot(page, info, '03b-service-load-balancer');
  await page.goto('/envs/prod');
  await settle(page, info);
  await expect(page.getByTestId('services-table').getByTestId('targets-badge').first()).toContainText('healthy');
  expect(errors).toEqual([]);
});

test("logs: a service's lines with a filter, a stopped task's last words, and following new lines", async ({ page }, info) => {
  const errors = watchConsole(page);
  await signIn(page, info, 'viewer', 'e2e-logs');
  await page.goto('/envs/prod/services/prod-main/prospa-api');
  await settle(page, info);
  await page.getByTestId('service-logs').click();
  await settle(page, info);
  await expect(page.getByTestId('logs-source')).toContainText('/ecs/prospa-api');
  await expect(page.getByTestId('log-line').first()).toBeVisible();
  await shot(page, info, '30-logs');
  // A filter pattern from the form; the address carries it.
  await page.getByTestId('logs-form').locator('input[name=filter]').fill('ERROR');
  await page.getByTestId('logs-form').getByRole('button', { name: 'Show logs' }).click();
  await settle(page, info);
  await expect(page).toHaveURL(/filter=ERROR/);
  const lines = page.getByTestId('log-line');
  await expect(lines.first()).toContainText('ERROR');
  for (const text of await lines.allTextContents()) {
    expect(text).toContain('ERROR');
  }
  // The task that crashed: why it stopped, beside its last lines.
  await page.goto('/envs/prod/services/prod-main/prospa-api');
  await settle(page, info);
  await page.getByTestId('stopped-task-logs').first().click();
  await settle(page, info);
  await expect(page.getByTestId('log-task')).toContainText('Essential container in task exited');
  await expect(page.getByTestId('log-lines')).toContainText('SIGKILL');
  await shot(page, info, '31-logs-stopped-task');
  if (withJs(info)) {
    await page.goto('/envs/prod/services/prod-main/prospa-api/logs');
    await settle(page, info);
    await page.getByTestId('logs-follow').click();
    await expect(page.getByTestId('logs-follow-state')).toContainText('following');
    const message = `INFO e2e follow ${Date.now()}`;
    // Give the stream a moment to open before the line is written.
    await page.waitForTimeout(1500);
    writeLogLine('prod', '/ecs/prospa-api', 'api/api/', message);
    await expect(page.getByTestId('log-lines-followed')).toContainText(message, { timeout: 10_000 });
    await shot(page, info, '32-logs-following');
  }
  expect(errors).toEqual([]);
});

test('databases page and database page', async ({ page }, info) => {
  const errors = watchConsole(page);
  await signIn(page, info);
  await page.goto('/databases');
  await settle(page, info);
  await expect(page.getByTestId('databases-table')).toContainText('overview-db');
  await shot(page, info, '04-databases');
  await chooseEnv(page, info, 'databases-table', 'prod', 'Production');
  await page.getByTestId('databases-table').getByRole('link', { name: 'prospa-db' }).click();
  await expect(page).toHaveURL(/\/envs\/prod\/databases\/prospa-db$/);
  await settle(page, info);
  await expect(page.getByTestId('snapshots-table')).toContainText('prospa-db-manual');
  await expect(page.locator('svg[aria-label="Free storage"]')).toBeVisible();
  await shot(page, info, '05-database');
  expect(errors).toEqual([]);
});

test('queues page and queue page: the assessment queue beside its dead-letter queue', async ({ page }, info) => {
  const errors = watchConsole(page);
  await signIn(page, info);
  await page.goto('/queues');
  await settle(page, info);
  const table = page.getByTestId('queues-table');
  await expect(table).toContainText('assessment-tasks');
  await expect(table).toContainText('dead letters');
  await shot(page, info, '40-queues');
  await chooseEnv(page, info, 'queues-table', 'prod', 'Production');
  // The source queue's row names its DLQ with the four poisoned messages in it.
  await expect(page.getByTestId('queues-table')).toContainText('4 messages');
  await page.getByTestId('queues-table').getByRole('link', { name: 'assessment-tasks', exact: true }).click();
  await expect(page).toHaveURL(/\/envs\/prod\/queues\/assessment-tasks$/);
  await settle(page, info);
  await expect(page.getByText('after 5 receives')).toBeVisible();
  await expect(page.getByTestId('queues-table')).toContainText('assessment-tasks-dlq');
  await expect(page.getByTestId('queue-workers')).toContainText('assessment-scorer');
  await expect(page.locator('svg[aria-label="Messages waiting"]')).toBeVisible();
  await expect(page.getByText('assessment-tasks-queue-depth').first()).toBeVisible();
  await shot(page, info, '41-queue');
  await page.goto('/envs/prod');
  await settle(page, info);
  await expect(page.getByTestId('env-queues')).toContainText('4 dead letters in 1 DLQ');
  expect(errors).toEqual([]);
});

test('functions page, function page and the app page chain: queue → worker → dead-letter queue', async ({ page }, info) => {
  const errors = watchConsole(page);
  await signIn(page, info);
  await page.goto('/functions?env=prod');
  await settle(page, info);
  const table = page.getByTestId('functions-table');
  await expect(table).toContainText('assessment-scorer');
  await expect(table).toContainText('prospa-db-gateway');
  await shot(page, info, '42-functions');
  await table.getByRole('link', { name: 'assessment-scorer', exact: true }).click();
  await expect(page).toHaveURL(/\/envs\/prod\/functions\/assessment-scorer$/);
  await settle(page, info);
  await expect(page.getByTestId('aliases-table')).toContainText('(90 %)');
  await expect(page.getByTestId('versions-table')).toContainText('scoring 2.4.0');
  await expect(page.getByTestId('mappings-table')).toContainText('assessment-tasks');
  await expect(page.locator('svg[aria-label="Throttles"]')).toBeVisible();
  await shot(page, info, '43-function');
  await page.goto('/apps/assessment');
  await settle(page, info);
  const staging = page.getByTestId('app-env-staging').getByTestId('app-chains');
  await expect(staging).toContainText('assessment-scorer');
  await expect(staging).toContainText('paused');
  await expect(staging).toContainText('2 dead letters');
  await shot(page, info, '44-app-chain');
  expect(errors).toEqual([]);
});

test('an operator stops, drains and resumes the assessment chain in staging', async ({ page }, info) => {
  const errors = watchConsole(page);
  await signIn(page, info);
  // The worker is paused in staging: resume it, then pause it again (the demo's state).
  await page.goto('/envs/staging/functions/assessment-scorer');
  await settle(page, info);
  await shot(page, info, '45-function-actions');
  // A weight outside 0–1 is refused with the reason.
  const alias = page.getByTestId('alias-form').first();
  await alias.locator('select[name=additional]').selectOption('1');
  await alias.locator('input[name=weight]').fill('1.5');
  await alias.getByRole('button', { name: 'Update live' }).click();
  await settle(page, info);
  await expect(page.getByText('is not a share from 0 to 1').first()).toBeVisible();
  await page.getByTestId('mapping-form').getByRole('button', { name: 'Resume consuming assessment-tasks' }).click();
  await settle(page, info);
  await expect(page.getByTestId('action-done')).toContainText('resume assessment-scorer consuming assessment-tasks');
  await page.getByTestId('mapping-form').getByRole('button', { name: 'Pause consuming assessment-tasks' }).click();
  await settle(page, info);
  await expect(page.getByTestId('action-done')).toContainText('pause assessment-scorer consuming assessment-tasks');
  // The emergency stop, then back to the shared pool.
  const concurrency = page.getByTestId('concurrency-form');
  await concurrency.locator('input[name=reserved]').fill('0');
  await concurrency.getByRole('button', { name: 'Set reserved concurrency' }).click();
  await settle(page, info);
  await expect(page.getByTestId('action-done')).toContainText('→ 0 (stopped)');
  await page.getByTestId('concurrency-form').locator('input[name=reserved]').fill('');
  await page.getByTestId('concurrency-form').getByRole('button', { name: 'Set reserved concurrency' }).click();
  await settle(page, info);
  await expect(page.getByTestId('action-done')).toContainText('unreserved');
  await expect(page.getByTestId('recent-actions')).toContainText('pause assessment-scorer');
  await shot(page, info, '46-function-actions-done');

  // The dead-letter queue: moto has no message move tasks, so a redrive says it is not
  // available and changes nothing; the purge wants the name typed. Only the last project
  // purges: the other tests read staging's two dead letters.
  await page.goto('/envs/staging/queues/assessment-tasks-dlq');
  await settle(page, info);
  await expect(page.getByTestId('purge-form').locator('input[name=confirm]')).toBeVisible();
  await page.getByTestId('redrive-form').getByRole('button', { name: 'Redrive' }).click();
  await settle(page, info);
  await expect(page.getByText('redrives are not available here').first()).toBeVisible();
  await shot(page, info, '47-queue-redrive-refused');
  if (!withJs(info)) {
    await page.getByTestId('purge-form').locator('input[name=confirm]').fill('assessment-tasks-dlq');
    await page.getByTestId('purge-form').getByRole('button', { name: 'Purge queue' }).click();
    await settle(page, info);
    await expect(page.getByTestId('action-done')).toContainText('purge assessment-tasks-dlq: delete 2 messages');
    await expect(page.getByTestId('recent-actions')).toContainText('purge assessment-tasks-dlq');
    await shot(page, info, '48-queue-purged');
  }
  // The refusals asked for above answer 4xx, which the browser logs; nothing else may.
  expect(errors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
});

test('an operator checks last night\'s jobs, runs the cleanup now and switches the rescore off and on', async ({ page }, info) => {
  const errors = watchConsole(page);
  await signIn(page, info);
  await page.goto('/jobs?env=staging');
  await settle(page, info);
  const jobs = page.getByTestId('jobs-table');
  await expect(jobs).toContainText('cloudarch-cleanup-nightly');
  await expect(jobs).toContainText('assessment-rescore-weekly');
  await expect(jobs).toContainText('(Europe/Berlin)');
  await shot(page, info, '49-jobs');
  // The nightly cleanup: its schedule, next runs and the run the demo's seed started.
  await jobs.getByRole('link', { name: 'cloudarch-cleanup-nightly' }).click();
  await settle(page, info);
  await expect(page.getByTestId('next-runs').locator('li')).toHaveCount(5);
  await expect(page.getByTestId('job-target')).toContainText('FARGATE');
  await expect(page.getByTestId('runs-table')).toContainText('its schedule');
  // That run's logs: its task's stream, read from its start.
  await page.getByTestId('runs-table').locator('tr', { hasText: 'its schedule' }).getByTestId('run-logs').click();
  await settle(page, info);
  await expect(page.getByTestId('log-run')).toContainText('succeeded');
  await expect(page.getByTestId('log-lines')).toContainText('cleanup: done, exit 0');
  await expect(page.getByTestId('logs-source')).toContainText('/ecs/cloudarch-cleanup-job');
  await shot(page, info, '54-job-run-logs');
  await page.goBack();
  await settle(page, info);
  await page.getByTestId('run-job-form').getByRole('button', { name: 'Run now' }).click();
  await settle(page, info);
  await expect(page.getByTestId('action-done')).toContainText('run cloudarch-cleanup-nightly now');
  await expect(page.getByTestId('runs-table')).toContainText('the console (run now)');
  await shot(page, info, '50-job-run-now');
  // The weekly rescore (a Scheduler schedule invoking a function): off, then on again.
  await page.goto('/envs/staging/jobs/schedule/assessment/assessment-rescore-weekly');
  await settle(page, info);
  await expect(page.getByTestId('next-runs')).toContainText('CET');
  await page.getByTestId('job-state-form').getByRole('button', { name: 'Disable' }).click();
  await settle(page, info);
  await expect(page.getByTestId('action-done')).toContainText('disable assessment-rescore-weekly');
  await expect(page.getByText('Disabled: it will not run until it is enabled.')).toBeVisible();
  await page.getByTestId('job-state-form').getByRole('button', { name: 'Enable' }).click();
  await settle(page, info);
  await expect(page.getByTestId('action-done')).toContainText('enable assessment-rescore-weekly');
  await expect(page.getByTestId('recent-actions')).toContainText('disable assessment-rescore-weekly');
  await shot(page, info, '51-job-switched');
  expect(errors).toEqual([]);
});

test('an operator checks the admin servers and resizes them in staging', async ({ page }, info) => {
  const errors = watchConsole(page);
  await signIn(page, info);
  await page.goto('/asgs?env=staging');
  await settle(page, info);
  const groups = page.getByTestId('asgs-table');
  await expect(groups).toContainText('cloudarch-admin-servers');
  await expect(groups).toContainText('2–6');
  await shot(page, info, '52-asgs');
  await groups.getByRole('link', { name: 'cloudarch-admin-servers' }).click();
  await settle(page, info);
  await expect(page.getByTestId('asg-instances').locator('tbody tr')).toHaveCount(2);
  await expect(page.getByTestId('refresh-unavailable')).toContainText('instance refreshes are');
  // Outside the bounds: refused with the reason, nothing changed.
  const capacity = page.getByTestId('capacity-form');
  await capacity.locator('input[name=desired]').fill('9');
  await capacity.getByRole('button', { name: 'Set desired capacity' }).click();
  await settle(page, info);
  await expect(page.getByText('change the bounds first').first()).toBeVisible();
  await page.getByTestId('capacity-form').locator('input[name=desired]').fill('3');
  await page.getByTestId('capacity-form').getByRole('button', { name: 'Set desired capacity' }).click();
  await settle(page, info);
  await expect(page.getByTestId('action-done')).toContainText('set cloudarch-admin-servers to 3 instances (from 2)');
  await shot(page, info, '53-asg-resized');
  // Back to the demo's size.
  await page.getByTestId('capacity-form').locator('input[name=desired]').fill('2');
  await page.getByTestId('capacity-form').getByRole('button', { name: 'Set desired capacity' }).click();
  await settle(page, info);
  await expect(page.getByTestId('action-done')).toContainText('set cloudarch-admin-servers to 2 instances (from 3)');
  expect(errors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
});

test('alarms page filters by state and text, and the URL carries the filters', async ({ page }, info) => {
  const errors = watchConsole(page);
  await signIn(page, info);
  await page.goto('/alarms');
  await settle(page, info);
  await page.selectOption('select[name=state]', 'ALARM');
  await page.selectOption('select[name=env]', 'prod');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/state=ALARM/);
  await expect(page).toHaveURL(/env=prod/);
  await settle(page, info);
  const table = page.getByTestId('alarms-table');
  await expect(table).toContainText('prospa-api-cpu-high');
  await expect(table).not.toContainText('prospa-db-cpu-high');
  await shot(page, info, '06-alarms-filtered');
  await page.goto('/alarms?q=queue');
  await settle(page, info);
  await expect(page.getByTestId('alarms-table')).toContainText('assessment-tasks-queue-depth');
  expect(errors).toEqual([]);
});

test('apps page and one app across environments', async ({ page }, info) => {
  const errors = watchConsole(page);
  await signIn(page, info);
  await page.goto('/apps');
  await settle(page, info);
  await expect(page.getByTestId('app-card-prospa')).toBeVisible();
  await shot(page, info, '07-apps');
  await page.getByRole('link', { name: 'prospa', exact: true }).first().click();
  await expect(page).toHaveURL(/\/apps\/prospa$/);
  await settle(page, info);
  for (const env of ['dev', 'staging', 'prod']) {
    await expect(page.getByTestId(`app-env-${env}`)).toContainText('prospa-api');
  }
  await shot(page, info, '08-app');
  expect(errors).toEqual([]);
});

test('unknown pages say so', async ({ page }, info) => {
  await signIn(page, info);
  const response = await page.goto('/envs/prod/services/prod-main/nothing-here');
  expect(response?.status()).toBe(404);
  await expect(page.getByTestId('error-panel')).toContainText('there is no service nothing-here');
});

test('the overview is usable on a phone', async ({ page }, info) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, info);
  await expect(page.getByTestId('env-card-prod')).toBeVisible();
  await shot(page, info, '09-overview-phone');
});

test('signing out ends the session', async ({ page }, info) => {
  await signIn(page, info);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/');
  expect(page.url()).toContain('/login?next=');
});

test.describe('dark theme', () => {
  test.use({ colorScheme: 'dark' });

  test('pages follow the system dark theme', async ({ page }, info) => {
    await signIn(page, info);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).not.toBe('rgb(241, 245, 249)');
    await shot(page, info, '10-overview-dark');
    await page.goto('/envs/prod/services/prod-main/prospa-api');
    await settle(page, info);
    await shot(page, info, '11-service-dark');
  });
});

test('an operator scales a service and snapshots a database from the pages', async ({ page }, info) => {
  const errors = watchConsole(page);
  await signIn(page, info, 'operator');
  const desired = withJs(info) ? '3' : '4';
  await page.goto('/envs/dev/services/dev-main/prospa-api');
  await settle(page, info);
  const form = page.getByTestId('scale-form');
  await expect(form).toContainText('Allowed');
  await form.locator('input[name=desired]').fill(desired);
  await form.getByRole('button', { name: 'Review scale' }).click();
  await settle(page, info);
  // The review step shows the change before anything runs.
  const review = page.getByTestId('review-panel');
  await expect(review.getByTestId('review-changes')).toContainText('Desired tasks');
  await expect(review.getByTestId('review-changes')).toContainText(desired);
  await shot(page, info, '12-service-scale-review');
  await review.getByRole('button', { name: 'Confirm scale' }).click();
  await settle(page, info);
  await expect(page.getByTestId('action-done')).toContainText(`→ ${desired}`);
  await expect(page.getByTestId('review-panel')).toHaveCount(0);
  await expect(page.getByTestId('recent-actions')).toContainText(`→ ${desired}`);
  await expect(page.getByTestId('recent-actions')).toContainText('succeeded');
  await shot(page, info, '12-service-scaled');

  await page.goto('/envs/dev/databases/prospa-db');
  await settle(page, info);
  await page.getByTestId('snapshot-form').getByRole('button', { name: 'Snapshot now' }).click();
  await settle(page, info);
  await expect(page.getByTestId('action-done')).toContainText('snapshot prospa-db-qd-');
  await expect(page.getByTestId('recent-actions')).toContainText('snapshot prospa-db-qd-');
  await expect(page.getByTestId('snapshots-table')).toContainText('prospa-db-qd-');
  await shot(page, info, '13-database-snapshot');

  // Both actions are in the audit log, on the page and in the CSV export of the filtered set.
  await page.goto('/audit?env=dev&outcome=succeeded');
  await settle(page, info);
  const audit = page.getByTestId('audit-table');
  await expect(audit).toContainText(`→ ${desired}`);
  await expect(audit).toContainText('snapshot prospa-db-qd-');
  await shot(page, info, '15-audit');
  const csv = await page.request.get('/audit/export.csv?env=dev&outcome=succeeded');
  expect(csv.status()).toBe(200);
  const body = await csv.text();
  expect(body.split('\r\n')[0]).toBe('id,at,actor,actor_id,kind,env,target,outcome,detail,ip,user_agent');
  expect(body).toContain(`e2e-ana,dev:e2e-ana,scale,dev,dev-main/prospa-api,succeeded`);
  expect(body).toContain('snapshot prospa-db-qd-');
  expect(errors).toEqual([]);
});

test('a review refuses a count outside the bounds and offers no confirm button', async ({ page }, info) => {
  await signIn(page, info, 'operator');
  await page.goto('/envs/dev/services/dev-main/prospa-api?review=scale&desired=500');
  await settle(page, info);
  await expect(page.getByTestId('review-refused')).toContainText('outside the allowed range');
  await expect(page.getByTestId('confirm-form')).toHaveCount(0);
  await shot(page, info, '18-service-review-refused');
});

test('a protected environment asks to type the name for actions that need no approval', async ({ page }, info) => {
  await signIn(page, info, 'admin');
  await page.goto('/envs/prod/services/prod-main/prospa-api');
  await settle(page, info);
  // A redeploy goes through the approval gate in prod: the review asks for the typed name and a request.
  await page.getByTestId('redeploy-form').getByRole('button').click();
  await settle(page, info);
  await expect(page.getByTestId('review-panel').locator('input[name=confirm]')).toBeVisible();
  await expect(page.getByTestId('review-panel').getByRole('button', { name: 'Request approval' })).toBeVisible();
  await shot(page, info, '14-service-protected');
  // A snapshot needs no approval, so it runs at once once the name is typed.
  await page.goto('/envs/prod/databases/cloudarch-auth-db');
  await settle(page, info);
  await expect(page.getByTestId('snapshot-form').locator('input[name=confirm]')).toBeVisible();
  await expect(page.getByTestId('snapshot-form').getByRole('button', { name: 'Snapshot now' })).toBeVisible();
});

test('a prod deploy needs two approvals from other people, then runs once and is audited', async ({ page }, info) => {
  const errors = watchConsole(page);
  const tag = withJs(info) ? '1.6.0' : '1.6.1';
  const image = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/prospa-api:${tag}`;
  await signIn(page, info, 'operator', 'e2e-olga');
  await page.goto('/envs/prod/services/prod-main/prospa-api');
  await settle(page, info);
  const form = page.getByTestId('deploy-form');
  await form.locator('input[name=image]').fill(image);
  await form.getByRole('button', { name: 'Review deploy' }).click();
  await settle(page, info);
  const review = page.getByTestId('review-panel');
  await expect(review).toContainText('creates a release request');
  await review.locator('input[name=reason]').fill(`e2e release ${tag}`);
  await review.locator('input[name=confirm]').fill('prospa-api');
  await shot(page, info, '20-release-review');
  await review.getByRole('button', { name: 'Request approval' }).click();
  await settle(page, info);
  await expect(page.getByTestId('release-state')).toContainText('requested');
  await expect(page.getByTestId('release-changes')).toContainText(image);
  await expect(page.getByTestId('vote-refused')).toContainText('someone else must approve');
  const releaseUrl = new URL(page.url()).pathname;
  expect(releaseUrl).toMatch(/^\/releases\/\d+$/);
  await shot(page, info, '21-release-requested');

  // A second person approves: one of two.
  await signIn(page, info, 'approver', 'e2e-rita');
  await expect(page.getByTestId('awaiting-badge')).toBeVisible();
  await page.goto(releaseUrl);
  await settle(page, info);
  await page.getByTestId('approve-form').locator('input[name=comment]').fill('checked the diff');
  await page.getByTestId('approve-form').getByRole('button', { name: 'Approve' }).click();
  await settle(page, info);
  await expect(page.getByTestId('release-votes')).toContainText('e2e-rita');
  await expect(page.getByTestId('release-state')).toContainText('requested');

  // A third person approves: the deploy runs.
  await signIn(page, info, 'admin', 'e2e-alice');
  await page.goto(releaseUrl);
  await settle(page, info);
  await page.getByTestId('approve-form').getByRole('button', { name: 'Approve' }).click();
  await settle(page, info);
  await expect(page.getByTestId('release-state')).toContainText('succeeded');
  await expect(page.getByTestId('release-history')).toContainText('executing');
  await shot(page, info, '22-release-succeeded');
  await page.goto('/envs/prod/services/prod-main/prospa-api');
  await settle(page, info);
  await expect(page.getByTestId('containers-table')).toContainText(tag);
  // Nothing waits for alice any more: the badge follows.
  await expect(page.getByTestId('awaiting-badge')).toHaveCount(0);

  await page.goto('/releases?env=prod');
  await settle(page, info);
  await expect(page.getByTestId('releases-table')).toContainText('e2e-olga');
  await shot(page, info, '23-releases');
  await page.goto('/audit?env=prod');
  await settle(page, info);
  const audit = page.getByTestId('audit-table');
  await expect(audit).toContainText('approval_requested');
  await expect(audit).toContainText('release approve');
  await expect(audit).toContainText('release execute');
  const csv = await (await page.request.get('/audit/export.csv?env=prod&kind=release_approve')).text();
  expect(csv).toContain('e2e-rita,release_approve,prod');
  expect(csv).toContain('e2e-alice,release_approve,prod');
  expect(errors).toEqual([]);
});

test('an admin creates an API token, sees its secret once, and revokes it', async ({ page }, info) => {
  const errors = watchConsole(page);
  await signIn(page, info, 'admin', 'e2e-alice');
  await page.goto('/tokens');
  await settle(page, info);
  const name = `ci-${info.project.name}-${Date.now()}`;
  const form = page.getByTestId('create-token-form');
  await form.locator('input[name=name]').fill(name);
  await form.locator('input[name=owner]').fill('e2e-olga');
  await form.locator('input[name=envs]').fill('prod');
  await form.getByRole('button', { name: 'Create token' }).click();
  await settle(page, info);
  // The secret is shown this once, with JavaScript or after the plain form post.
  await expect(page.getByTestId('token-secret-value')).toContainText('qd_');
  await shot(page, info, '24-token-created');
  if (!withJs(info)) {
    await page.reload();
    await expect(page.getByTestId('token-secret-value')).toHaveCount(0);
  }
  const row = page.getByTestId('tokens-table').locator('tr', { hasText: name });
  await expect(row).toContainText('active');
  await expect(row).toContainText('never');
  await row.getByRole('button', { name: 'Revoke' }).click();
  await settle(page, info);
  await expect(page.getByTestId('tokens-table').locator('tr', { hasText: name })).toContainText('revoked');
  await shot(page, info, '25-tokens');
  expect(errors).toEqual([]);
});

test('an operator mutes and unmutes an alarm from the alarms page', async ({ page }, info) => {
  const errors = watchConsole(page);
  await signIn(page, info, 'operator');
  await page.goto('/alarms?env=dev&q=overview-web-memory-high');
  await settle(page, info);
  const table = page.getByTestId('alarms-table');
  const form = table.getByTestId('mute-form');
  const wasMuted = (await form.getByRole('button', { name: 'Unmute' }).count()) > 0;
  if (!wasMuted) {
    await form.locator('input[name=reason]').fill('load test in progress');
  }
  await form.getByRole('button', { name: wasMuted ? 'Unmute' : 'Mute' }).click();
  await settle(page, info);
  await expect(table.getByRole('button', { name: wasMuted ? 'Mute' : 'Unmute' })).toBeVisible();
  // The row says who did it, and when.
  await expect(table.getByTestId('last-mute')).toContainText(`${wasMuted ? 'unmuted' : 'muted'} by e2e-ana`);
  await shot(page, info, '16-alarm-muted');
  expect(errors).toEqual([]);
});

test('an operator deploys a new image, rolls it back, and finds both in the audit', async ({ page }, info) => {
  const errors = watchConsole(page);
  await signIn(page, info, 'operator');
  await page.goto('/envs/dev/services/dev-main/overview-web');
  await settle(page, info);
  const form = page.getByTestId('deploy-form');
  const tag = withJs(info) ? '1.2.0' : '1.2.1';
  const image = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/overview-web:${tag}`;
  await form.locator('input[name=image]').fill(image);
  await form.locator('input[name=reason]').fill('e2e release');
  await form.getByRole('button', { name: 'Review deploy' }).click();
  await settle(page, info);
  const review = page.getByTestId('review-panel');
  await expect(review.getByTestId('review-changes')).toContainText(image);
  await expect(review).toContainText('Reason: e2e release');
  await shot(page, info, '17-service-deploy-review');
  await review.getByRole('button', { name: 'Confirm deploy' }).click();
  await settle(page, info);
  await expect(page.getByTestId('action-done')).toContainText(`overview-web:${tag}`);
  await expect(page.getByTestId('recent-actions')).toContainText(`overview-web:${tag}`);
  await expect(page.getByTestId('containers-table')).toContainText(tag);
  await shot(page, info, '17-service-deployed');

  // Roll back to the newest other revision, with a reason.
  const rollback = page.getByTestId('rollback-form');
  await rollback.locator('input[name=reason]').fill('e2e rollback');
  await rollback.getByRole('button', { name: 'Review rollback' }).click();
  await settle(page, info);
  const back = page.getByTestId('review-panel');
  await expect(back.getByTestId('review-changes')).toContainText('Task definition');
  await back.getByRole('button', { name: 'Confirm rollback' }).click();
  await settle(page, info);
  await expect(page.getByTestId('action-done')).toContainText('rollback');
  await expect(page.getByTestId('recent-actions')).toContainText('Reason: e2e rollback');
  await shot(page, info, '19-service-rolled-back');

  await page.goto('/audit?env=dev&actor=e2e-ana');
  await settle(page, info);
  const audit = page.getByTestId('audit-table');
  await expect(audit).toContainText(`overview-web:${tag}`);
  await expect(audit).toContainText('rollback');
  const csv = await (await page.request.get('/audit/export.csv?env=dev&kind=rollback')).text();
  expect(csv).toContain('e2e-ana,rollback,dev,dev-main/overview-web,succeeded');
  const deploys = await (await page.request.get('/audit/export.csv?env=dev&kind=deploy')).text();
  expect(deploys).toContain(`overview-web:${tag}`);
  expect(errors).toEqual([]);
});

// Fires (or clears) an alarm in the test moto, as CloudWatch would.
function setAlarm(env: string, alarm: string, state: string) {
  const endpoint = process.env.QD_TEST_MOTO_URL;
  if (!endpoint) throw new Error('QD_TEST_MOTO_URL is not set (run through scripts/test.sh)');
  const root = path.join(__dirname, '..', '..');
  execFileSync(path.join(root, '.venv', 'bin', 'python'), [
    path.join(root, 'scripts', 'alarm_state.py'),
    '--endpoint', endpoint, '--env', env, '--alarm', alarm, '--state', state,
  ]);
}

// Writes a line into a service's newest log stream in the test moto, as its task would.
function writeLogLine(env: string, group: string, prefix: string, message: string) {
  const endpoint = process.env.QD_TEST_MOTO_URL;
  if (!endpoint) throw new Error('QD_TEST_MOTO_URL is not set (run through scripts/test.sh)');
  const root = path.join(__dirname, '..', '..');
  execFileSync(path.join(root, '.venv', 'bin', 'python'), [
    path.join(root, 'scripts', 'log_line.py'),
    '--endpoint', endpoint, '--env', env, '--group', group, '--prefix', prefix, '--message', message,
  ]);
}

test('on call: a fired alarm becomes an incident on the open page; acknowledge, note, resolve', async ({ page }, info) => {
  const errors = watchConsole(page);
  // One alarm per project, so each run sees its own OK → ALARM transition.
  const alarm = withJs(info) ? 'prospa-api-cpu-high' : 'overview-web-memory-high';
  await signIn(page, info, 'operator', 'e2e-oscar');
  await page.goto('/incidents?env=dev');
  await settle(page, info);
  setAlarm('dev', alarm, 'ALARM');
  const link = page.getByRole('link', { name: new RegExp(alarm) });
  if (withJs(info)) {
    // Pushed by the event stream: no reload.
    await expect(link).toBeVisible({ timeout: 20_000 });
  } else {
    await expect(async () => {
      await page.reload();
      await expect(link).toBeVisible({ timeout: 500 });
    }).toPass({ timeout: 20_000 });
  }
  await shot(page, info, '20-incidents');
  await link.click();
  await settle(page, info);
  await expect(page.getByTestId('incident-status')).toHaveText('unacknowledged');
  await page.getByTestId('ack-one-form').getByRole('button', { name: 'Acknowledge' }).click();
  await expect(page.getByTestId('incident-status')).toHaveText('acknowledged');
  await expect(page.getByTestId('incident-owner')).toContainText('e2e-oscar');
  await settle(page, info);
  await page.getByTestId('note-form').locator('textarea[name=text]').fill('memory climbing since the deploy');
  await page.getByTestId('note-form').getByRole('button', { name: 'Add note' }).click();
  await expect(page.getByTestId('timeline')).toContainText('memory climbing since the deploy');
  await settle(page, info);
  await page.getByTestId('resolve-form').locator('input[name=note]').fill('restarted the tasks');
  await page.getByTestId('resolve-form').getByRole('button', { name: 'Resolve' }).click();
  await expect(page.getByTestId('incident-resolved')).toContainText('Resolved');
  await expect(page.getByTestId('timeline')).toContainText('Resolved by e2e-oscar: restarted the tasks');
  await shot(page, info, '21-incident');
  setAlarm('dev', alarm, 'OK');
  expect(errors).toEqual([]);
});

test('the on-call page shows rotations and lets an admin set an override', async ({ page }, info) => {
  const errors = watchConsole(page);
  await signIn(page, info, 'admin', 'e2e-alice');
  await page.goto('/oncall');
  await settle(page, info);
  await expect(page.getByTestId('rotation-now')).toContainText('On call now');
  const form = page.getByTestId('override-form');
  const who = withJs(info) ? 'e2e-dana' : 'e2e-noah';
  await form.locator('input[name=who]').fill(who);
  await form.locator('input[name=from]').fill('2099-03-01T09:00');
  await form.locator('input[name=until]').fill('2099-03-02T09:00');
  await form.locator('input[name=reason]').fill('swap');
  await form.getByRole('button', { name: 'Set override' }).click();
  await expect(page.getByTestId('overrides-table')).toContainText(who);
  await shot(page, info, '22-oncall');
  expect(errors).toEqual([]);
});

test('what runs where: an app page and the fleet drift page', async ({ page }, info) => {
  const errors = watchConsole(page);
  await signIn(page, info, 'viewer', 'e2e-vera');
  await page.goto('/apps/cloudarch');
  await settle(page, info);
  const drift = page.getByTestId('app-drift');
  await expect(drift.getByTestId('drift-row').first()).toBeVisible();
  // prod runs an older cloudarch than staging: highlighted, with how far behind.
  const prod = drift.locator('tr[data-service="cloudarch-main-app"] td[data-env=prod]');
  await expect(prod).toHaveAttribute('data-differs', 'true');
  await expect(prod.getByTestId('drift-lag')).toContainText('behind staging');
  await expect(prod).toContainText('sha256:');
  // A viewer may look, not promote: what a promotion would change is still theirs to read.
  await expect(drift.getByTestId('promote-link')).toHaveCount(0);
  await shot(page, info, '30-app-drift');
  await prod.getByTestId('compare-link').click();
  await expect(page).toHaveURL(/\/promote\?from=staging&to=prod/);
  await settle(page, info);
  await expect(page.getByTestId('promotion-refused')).toContainText('operator role in prod');
  await expect(page.getByTestId('promotion-diff')).toContainText('image');
  await expect(page.getByTestId('promotion-confirm')).toHaveCount(0);
  await shot(page, info, '30-promotion-as-viewer');

  // Any two revisions of a family, on the service page.
  await page.goto('/envs/prod/services/prod-main/cloudarch-main-app');
  await settle(page, info);
  await page.getByTestId('compare-form').getByRole('button', { name: 'Compare' }).click();
  await settle(page, info);
  await expect(page.getByTestId('revision-diff')).toContainText('env RELEASE');

  await page.goto('/drift');
  await settle(page, info);
  const filter = page.locator('form[action="/drift"]');
  await filter.locator('select[name=env]').selectOption('prod');
  await filter.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/\/drift\?.*env=prod/);
  await settle(page, info);
  await expect(page.getByTestId('drift-table')).toContainText('cloudarch-main-app');
  // Prod's scorer alias runs another version's code than staging's.
  await expect(page.getByTestId('alias-drift-table')).toContainText('assessment-scorer:live');
  await expect(page.getByTestId('alias-drift-table')).toContainText('1 (90 %) and 2 (10 %)');
  await shot(page, info, '31-fleet-drift');

  await page.goto('/');
  await settle(page, info);
  await expect(page.getByTestId('app-drift-count').first()).toBeVisible();
  expect(errors).toEqual([]);
});

test('an operator promotes a service, then a whole app into prod through the approval gate', async ({ page }, info) => {
  const errors = watchConsole(page);
  const js = withJs(info);
  // Each project promotes its own: the second run sees what the first one changed.
  const single = js ? 'cloudarch-auth-service' : 'cloudarch-main-app';
  const app = js ? 'overview' : 'cloudarch';
  await signIn(page, info, 'operator', 'e2e-olga');
  await page.goto('/apps/cloudarch');
  await settle(page, info);
  const row = page.getByTestId('app-drift').locator(`tr[data-service="${single}"]`);
  await row.locator('td[data-env=staging]').getByTestId('promote-link').click();
  await expect(page).toHaveURL(/\/promote\?from=dev&to=staging/);
  await settle(page, info);
  const item = page.getByTestId('promotion-item');
  await expect(item.getByTestId('promotion-changes')).toContainText('@sha256:');
  await shot(page, info, '32-promote-review');
  const form = page.getByTestId('promote-form');
  await form.locator('input[name=reason]').fill('e2e promotion');
  await form.getByRole('button', { name: 'Promote', exact: true }).click();
  await expect(page).toHaveURL(/\/apps\/cloudarch\?notice=/);
  await settle(page, info);
  await expect(page.getByTestId('notice')).toContainText(`Promoted 1 service from dev to staging: ${single}`);
  // staging now runs dev's digest.
  await expect(row.locator('td[data-env=staging]')).toHaveAttribute('data-differs', 'false');

  // The whole app into prod: one release request per service, grouped.
  await page.goto(`/apps/${app}`);
  await settle(page, info);
  await page.getByTestId('promote-app-link').filter({ hasText: 'staging → prod' }).click();
  await expect(page).toHaveURL(/\/promote\?from=staging&to=prod/);
  await settle(page, info);
  await expect(page.getByTestId('promotion-confirm')).toContainText('release request');
  const appForm = page.getByTestId('promote-form');
  await appForm.locator('input[name=reason]').fill('e2e release train');
  await appForm.locator('input[name=confirm]').fill(app);
  await shot(page, info, '33-promote-app-review');
  await appForm.getByRole('button', { name: /Request approval/ }).click();
  await expect(page).toHaveURL(/\/releases\?group=/);
  await settle(page, info);
  const groupUrl = new URL(page.url());
  const group = groupUrl.pathname + groupUrl.search;
  await expect(page.getByTestId('release-group-panel')).toContainText('waiting for approval');
  await shot(page, info, '34-promotion-group');

  // Two other people approve the whole group, each with one click.
  for (const [role, user] of [['approver', 'e2e-rita'], ['admin', 'e2e-alice']]) {
    await signIn(page, info, role, user);
    await page.goto(group);
    await settle(page, info);
    await page.getByTestId('approve-group-form').getByRole('button', { name: /Approve all/ }).click();
    await expect(page.getByTestId('approve-group-form')).toHaveCount(0);
    await settle(page, info);
  }
  // The last approval runs the deploys; they finish on the server whatever the page does.
  const table = page.getByTestId('releases-table');
  await expect(async () => {
    await page.goto(group);
    await settle(page, info);
    await expect(table).toContainText('succeeded', { timeout: 1000 });
    await expect(table).not.toContainText(/requested|executing/, { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await shot(page, info, '35-promotion-approved');
  await page.goto(`/apps/${app}`);
  await settle(page, info);
  const prodCells = page.getByTestId('app-drift').locator('td[data-env=prod]');
  const count = await prodCells.count();
  for (let i = 0; i < count; i++) {
    await expect(prodCells.nth(i)).toHaveAttribute('data-differs', 'false');
  }
  expect(errors).toEqual([]);
});
