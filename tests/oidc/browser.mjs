// Drives the dashboard page's "Sign in with …" in headless Chromium (Debian's, through
// playwright-core): the page at http://normtrack.test/ (mapped to the test's server), the
// button, the provider's login and consent forms, and back to the page. Env: CHROMIUM (path),
// APP_ADDR (127.0.0.1:port of normtrack), LOGIN (what to type at the provider's form).
// Prints one JSON line: {url, who, error, token} as the page shows them at the end.
import { chromium } from 'playwright-core';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM,
  args: [
    '--no-sandbox',
    `--host-resolver-rules=MAP normtrack.test ${process.env.APP_ADDR}`,
    '--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable',
  ],
});
try {
  const page = await browser.newPage();
  await page.goto('http://normtrack.test/');
  await page.getByRole('link', { name: 'Sign in with Test provider' }).click();
  await page.waitForURL((u) => u.hostname === '127.0.0.1');
  await page.fill('input[name="login"]', process.env.LOGIN);
  await page.fill('input[name="password"]', 'any');
  await page.click('button[type="submit"]');
  // The development consent form, then back to normtrack's callback and on to the page.
  await page.click('button[type="submit"]');
  await page.waitForURL((u) => u.hostname === 'normtrack.test' && u.pathname === '/');
  await page.waitForFunction(() =>
    document.body.getAttribute('data-ready') === 'true' ||
    document.getElementById('sign-in-error').textContent !== '');
  const seen = await page.evaluate(() => ({
    url: location.href,
    who: document.getElementById('who').textContent,
    error: document.getElementById('sign-in-error').textContent,
    token: sessionStorage.getItem('normtrack-token'),
  }));
  console.log(JSON.stringify(seen));
} finally {
  await browser.close();
}
