// Opens the built register with the fake backend installed before the app's scripts.
import { fileURLToPath } from "node:url";
import type { Page } from "@playwright/test";

const FAKE = fileURLToPath(new URL("./fake-backend.js", import.meta.url));

export interface FakeConfig {
  user?: string | null;
  stkSeconds?: number;
  autoTimeout?: boolean;
  customerPhone?: string | null;
  resume?: boolean;
  refunds?: boolean;
  latencyMs?: number;
}

export interface Call {
  cmd: string;
  args: Record<string, unknown> | null;
}

export async function open(page: Page, config: FakeConfig = {}, hash = "#/"): Promise<void> {
  await page.addInitScript((c) => {
    (window as unknown as { __FAKE_CONFIG__: unknown }).__FAKE_CONFIG__ = c;
  }, config);
  await page.addInitScript({ path: FAKE });
  // The card simulator's checkout page, as crates/sim serves it (`/checkout/<code>?embed=1`):
  // it tells the register how it ended with postMessage.
  await page.route("http://sim.test/**", (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><html><body><h1>Paystack checkout (simulator)</h1>
        <script>
          const code = location.pathname.split("/").pop();
          function tell(m) { parent.postMessage(Object.assign({ source: "malipo-sim-paystack", accessCode: code }, m), "*"); }
          tell({ type: "load", id: 1 });
        </script>
        <button id="pay" onclick="tell({type:'success', id: 1, reference: 'MLP-' + code.slice(3), message: 'Approved'})">Pay</button>
        <button id="cancel" onclick="tell({type:'cancel'})">Cancel</button></body></html>`,
    }),
  );
  await page.goto(`/${hash}`);
}

export function calls(page: Page, cmd?: string): Promise<Call[]> {
  return page.evaluate((c) => (window as unknown as { __fake: { calls: (c?: string) => Call[] } }).__fake.calls(c), cmd);
}

/** Resolves the latest (or given) attempt as the provider/customer would. */
export function resolveAttempt(page: Page, state: string, reason?: string, id?: number): Promise<void> {
  return page.evaluate(
    ([st, r, i]) => {
      (window as unknown as { __fake: { resolve: (i: unknown, s: unknown, r: unknown) => void } }).__fake.resolve(i, st, r);
    },
    [state, reason ?? null, id ?? null] as const,
  );
}

export function addIncoming(page: Page, p: { minor: number; payer_name?: string; method?: string }): Promise<void> {
  return page.evaluate((x) => {
    (window as unknown as { __fake: { addIncoming: (x: unknown) => void } }).__fake.addIncoming(x);
  }, p);
}

/** Adds items by "scanning" (typing the barcode and Enter into the focused search field). */
export async function scan(page: Page, code: string): Promise<void> {
  await page.keyboard.type(code);
  await page.keyboard.press("Enter");
}

/** Runs a function of the fake backend's `window.__fake` in the page (manager views' journeys). */
export function fake<T>(page: Page, fn: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(
    ([f, a]) => (window as unknown as { __fake: Record<string, (...x: unknown[]) => T> }).__fake[f as string]!(...(a as unknown[])),
    [fn, args] as const,
  );
}
