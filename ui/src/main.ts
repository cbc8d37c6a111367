// The page's entry point: asks the backend (through api.ts) for the app's mode and the demo
// catalogue, and renders them. No money arithmetic happens here: amounts arrive formatted.

import {
  appInfo,
  describeError,
  inApp,
  listCatalogue,
  type AppInfo,
  type CatalogueItem,
} from "./api";

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) {
    throw new Error(`the page has no element #${id}`);
  }
  return el as T;
}

function showStatus(text: string, kind: "info" | "error"): void {
  const status = byId<HTMLParagraphElement>("status");
  status.textContent = text;
  status.hidden = false;
  status.classList.toggle("status-error", kind === "error");
}

function cell(text: string, className?: string): HTMLTableCellElement {
  const td = document.createElement("td");
  td.textContent = text;
  if (className !== undefined) {
    td.className = className;
  }
  return td;
}

function renderCatalogue(items: CatalogueItem[]): void {
  const rows = byId<HTMLTableSectionElement>("catalogue-rows");
  rows.replaceChildren(
    ...items.map((item) => {
      const tr = document.createElement("tr");
      tr.dataset["sku"] = item.sku;
      tr.append(
        cell(item.name),
        cell(item.sku, "mono"),
        cell(item.barcode ?? "\u2014", "mono"),
        cell(item.price_display, "num"),
      );
      return tr;
    }),
  );
  byId<HTMLTableElement>("catalogue").hidden = false;
  if (items.length === 0) {
    showStatus("The catalogue is empty.", "info");
  } else {
    byId<HTMLParagraphElement>("status").hidden = true;
  }
}

function renderInfo(info: AppInfo): void {
  const training = info.mode === "training";
  const banner = byId<HTMLDivElement>("mode-banner");
  banner.hidden = !training;
  byId<HTMLSpanElement>("app-mode").textContent = `Mode: ${info.mode}`;
  byId<HTMLSpanElement>("app-version").textContent = `Malipo ${info.version}`;
  byId<HTMLSpanElement>("db-path").textContent = `Database: ${info.db_path}`;
}

async function start(): Promise<void> {
  if (!inApp()) {
    showStatus(
      "This is Malipo's screen, opened in a plain browser: there is no till here to ask. Start Malipo with “make run” to see the catalogue.",
      "error",
    );
    byId<HTMLSpanElement>("app-mode").textContent = "Mode: not connected";
    return;
  }
  try {
    const [info, items] = await Promise.all([appInfo(), listCatalogue()]);
    renderInfo(info);
    renderCatalogue(items);
  } catch (err: unknown) {
    showStatus(`Could not load the catalogue: ${describeError(err)}`, "error");
  }
}

void start();
