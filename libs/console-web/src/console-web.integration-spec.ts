/**
 * Infrastructure: Debian chromium (`deploy/local/stack.sh up chromium`, exported as CHROMIUM_PATH)
 * driven by playwright-core; no Kafka, Redis or S3 (the console runs over the in-memory source, as
 * in the CLI's embedded demo).
 *
 * Property: a user can filter the insights by IP, open one and see its facts, its trend chart of
 * operations per 5 minutes, its management events' JSON and its insight events' JSON, then follow
 * the IP link to every insight of that IP; bad filters are reported, and attacker-controlled text in
 * events is shown as text, never executed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

import { waitFor } from '@trail-insight/testing';

import { startConsoleServer } from './console-http.server';
import { MemoryInsightRepository } from './memory-insight.repository';
import { insightFixture } from './testing/insight-fixture';

import type { BrowserContext, Page } from 'playwright-core';

import type { ConsoleServer } from './console-http.server';

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-10T02:03:04.000Z');
const SCREENSHOT_DIR = process.env.CONSOLE_SCREENSHOT_DIR ?? tmpdir();

function spread(count: number, everyMs: number): number[] {
  return Array.from({ length: count }, (_, index) => index * everyMs + (index % 3) * 7_000);
}

const attacker = insightFixture({ ip: '203.0.113.7', start: T0, offsets: spread(60, 1_100_000) });
const attackerLater = insightFixture({
  ip: '203.0.113.7',
  region: 'ap-southeast-1',
  start: T0 + 9 * DAY,
  state: 'provisional',
});
const entries = [
  attacker,
  attackerLater,
  insightFixture({ ip: '198.51.100.20', start: T0 + DAY, state: 'dismissed', heterogeneity: 12.5 }),
  insightFixture({ ip: '2001:db8::1', start: T0 + 2 * DAY, accountId: '42', region: 'cn-beijing' }),
  insightFixture({ ip: '192.0.2.44', start: T0 + 3 * DAY, offsets: spread(12, 240_000) }),
];

jest.setTimeout(60_000);

describe('console page (browser)', () => {
  let server: ConsoleServer;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  const dialogs: string[] = [];

  beforeAll(async () => {
    server = await startConsoleServer({
      port: 0,
      source: new MemoryInsightRepository(entries, { description: 'memory (test)' }),
    });
    userDataDir = mkdtempSync(join(tmpdir(), 'console-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1440, height: 1000 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    rmSync(userDataDir, { recursive: true, force: true });
  });

  const rows = () => page.locator('#insights tbody tr');
  /**
   * Waits until `selector` matches exactly `count` elements. Locators, not waitForFunction: the
   * page's CSP forbids eval, which string predicates need.
   */
  const count = (selector: string, expected: number) =>
    waitFor(
      async () => (await page.locator(selector).count()) === expected,
      10_000,
      `${expected} × ${selector}`,
    );
  const rowCount = (expected: number) => count('#insights tbody tr', expected);
  const rowIps = async () => page.locator('#insights tbody tr td:nth-child(2)').allTextContents();

  it('shows, filters, opens an insight and follows the IP link', async () => {
    await page.goto(server.url);
    await rowCount(5);
    expect(await page.locator('#source').textContent()).toContain('memory (test)');

    await page.getByLabel('IP or CIDR').fill('203.0.113.7');
    await page.getByLabel('State').selectOption('confirmed');
    await page.getByRole('button', { name: 'Apply' }).click();
    await rowCount(1);
    expect(await rowIps()).toEqual(['203.0.113.7']);
    expect(new URL(page.url()).searchParams.get('state')).toBe('confirmed');

    await rows().first().getByRole('button').click();
    const title = page.locator('#detail-title');
    await title.waitFor();
    expect(await title.textContent()).toBe('IPInsight · 203.0.113.7');
    expect(await page.locator('.insight-id').textContent()).toBe(attacker.insight.insightId);
    const facts = await page.locator('.facts').textContent();
    expect(facts).toContain('Operations60');
    expect(facts).toContain('Heterogeneity100 (predicted 0, threshold 0.5)');
    expect(facts).toContain('Start2026-03-10 02:03:04 UTC');

    const bars = page.locator('svg.trend rect.bar');
    await count('svg.trend rect.bar', attacker.insight.buckets.length);
    expect(await bars.count()).toBe(attacker.insight.buckets.length);

    await count('#events details', 60);
    const firstEvent = JSON.parse((await page.locator('#events pre').first().textContent()) ?? '');
    expect(firstEvent).toEqual(attacker.managementEvents![0]);
    expect(await page.locator('#events-title').textContent()).toBe('Management events (60)');
    const insightEvents = page.locator('#insight-events pre');
    expect(await insightEvents.count()).toBe(attacker.insight.buckets.length);
    const firstInsightEvent = JSON.parse((await insightEvents.first().textContent()) ?? '');
    expect(firstInsightEvent).toMatchObject({
      eventType: 'ActionTrailInsight',
      sharedEventId: attacker.insight.insightId,
      insightDetails: { state: 'Start', insightObject: '203.0.113.7' },
    });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'console-detail.png'), fullPage: false });
    await page.locator('#insight-events').scrollIntoViewIfNeeded();
    await page.screenshot({
      path: join(SCREENSHOT_DIR, 'console-insight-events.png'),
      fullPage: false,
    });

    await page.locator('#detail a.ip-link').click();
    await rowCount(2);
    expect(await page.locator('#results-title').textContent()).toBe(
      'All insights of IP 203.0.113.7',
    );
    expect(await rowIps()).toEqual(['203.0.113.7', '203.0.113.7']);
    const states = await page.locator('#insights tbody .badge').allTextContents();
    expect(states).toEqual(['provisional', 'confirmed']);
    expect(await page.locator('#detail').isHidden()).toBe(true);

    await rows().first().click();
    await page.locator('#detail-title').waitFor();
    expect(await page.locator('#insight-events').textContent()).toContain(
      'Delivered at the verdict',
    );
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'console-ip.png'), fullPage: false });

    await page.goBack();
    await page.locator('#detail-title').waitFor({ state: 'detached' });
    expect(dialogs).toEqual([]);
  });

  it('reports an invalid filter with the parameter and the reason', async () => {
    await page.goto(server.url);
    await page.getByLabel('From (UTC)').fill('yesterday');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('#status.error').waitFor();
    expect(await page.locator('#status').textContent()).toContain('from: not a time: "yesterday"');
    expect(await rows().count()).toBe(0);
  });
});
