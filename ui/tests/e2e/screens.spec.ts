// Login and language, the status bar, settings (secrets never shown), the customer phone.
import { expect, test } from "@playwright/test";
import { calls, open } from "./helpers";

test("login as a Kiswahili-speaking cashier switches the screens to Kiswahili", async ({ page }) => {
  await open(page, { user: null });
  await expect(page.getByTestId("training-banner")).toContainText("TRAINING");
  await page.getByLabel("Your name").fill("Baraka");
  await page.getByLabel("PIN").fill("0000");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("alert")).toContainText("Wrong name or PIN");
  await page.getByLabel("PIN").fill("4321");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("current-user")).toHaveText("Keshia: Baraka");
  await expect(page.getByTestId("training-banner")).toContainText("MAFUNZO");
  await expect(page.getByTestId("cart-lines")).toContainText("Kikapu ni tupu");
});

test("status bar shows relay, printer and the cashier", async ({ page }) => {
  await open(page);
  await expect(page.getByTestId("relay-state")).toContainText("Online");
  await expect(page.getByTestId("printer-state")).toContainText("Printer ready");
  await expect(page.getByTestId("current-user")).toHaveText("Cashier: Aisha");
  await page.evaluate(() => {
    (window as unknown as { __fake: { emit: (e: string, p: unknown) => void } }).__fake.emit("status-changed", {
      relay: { online: false, offline_since_ms: Date.now(), waiting: 3 },
      printer: { state: "offline", detail: "paper out" },
      user: { name: "Aisha", role: "cashier", language: "en" },
      training: true,
    });
  });
  await expect(page.getByTestId("relay-state")).toContainText("Offline since");
  await expect(page.getByTestId("relay-waiting")).toHaveText("3 events waiting");
  await expect(page.getByTestId("printer-state")).toContainText("Printer offline");
});

test("settings need a manager PIN and never render a stored secret", async ({ page }) => {
  await open(page, {}, "#/settings");
  await page.getByLabel("Manager PIN").fill("1234");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("alert")).toContainText("Only a manager");
  await page.getByLabel("Manager PIN").fill("9999");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("daraja-consumer-key-state")).toHaveText("set");
  await expect(page.getByTestId("daraja-initiator-password-state")).toHaveText("not set");
  await expect(page.locator("#daraja-consumer-key")).toHaveValue("");
  await page.locator("#daraja-initiator-password").fill("Sup3r-S3cret!");
  await page.getByTestId("save-daraja").click();
  await expect(page.getByTestId("note-daraja")).toHaveText("Saved.");
  await expect(page.getByTestId("daraja-initiator-password-state")).toHaveText("set");
  await expect(page.locator("#daraja-initiator-password")).toHaveValue("");
  const save = (await calls(page, "settings_save_daraja"))[0];
  expect(save?.args).toEqual({
    input: {
      environment: "sandbox", shortcode: "174379", till_number: "5123456", initiator: "testapi",
      consumer_key: null, consumer_secret: null, passkey: null, initiator_password: "Sup3r-S3cret!", certificate_pem: null,
    },
  });
  // The secret is nowhere in the page once saved.
  const html = await page.content();
  expect(html).not.toContain("Sup3r-S3cret!");
  const values = await page.locator("input").evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
  expect(values).not.toContain("Sup3r-S3cret!");
  await page.getByRole("button", { name: "Test connection" }).first().click();
  await expect(page.getByTestId("note-daraja")).toHaveText("Connected to daraja (sandbox).");
});

test("customer phone (training): approving the pending STK prompt completes the sale", async ({ page, context }) => {
  // Both windows share one fake backend here: the register triggers, the phone view answers.
  await open(page);
  await page.keyboard.type("6001234500017");
  await page.keyboard.press("Enter");
  await page.keyboard.press("F3");
  await page.keyboard.type("0712345678");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("waiting")).toBeVisible();
  // The customer-phone view in the same page context (same backend): switch the hash.
  await page.evaluate(() => (location.hash = "#/customer-phone"));
  await expect(page.getByTestId("cp-stk")).toContainText("KES 250.00");
  await page.getByRole("button", { name: "Enter PIN and pay" }).click();
  await expect(page.getByText("Done.")).toBeVisible();
  expect(await calls(page, "training_customer")).toEqual([
    { cmd: "training_customer", args: { action: "approve", attempt_id: 1, phone: "0712345678", amount_minor: null, account_reference: null } },
  ]);
  void context;
});

test("customer phone (training): paying the Paybill shows up in the register's incoming payments", async ({ page }) => {
  await open(page, {}, "#/customer-phone");
  await expect(page.getByTestId("customer-phone")).toContainText("No payment prompt on this phone right now.");
  await page.getByLabel("Amount").fill("1,250.50");
  await page.getByLabel("Account").fill("T1-000001");
  await page.getByRole("button", { name: "Pay Paybill 522522" }).click();
  await expect(page.getByText("Done.")).toBeVisible();
  expect(await calls(page, "training_customer")).toEqual([
    { cmd: "training_customer", args: { action: "pay_paybill", attempt_id: null, phone: "0712345678", amount_minor: 125050, account_reference: "T1-000001" } },
  ]);
  await page.evaluate(() => (location.hash = "#/"));
  await expect(page.getByTestId("incoming-payment")).toContainText("KES 1,250.50");
});
