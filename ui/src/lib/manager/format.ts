// Dates and times on the manager screens (the till's local time), and the manager routes.

const p2 = (n: number) => String(n).padStart(2, "0");

/** "25/11/2026 09:41" */
export function dateTime(ms: number): string {
  const d = new Date(ms);
  return `${p2(d.getDate())}/${p2(d.getMonth() + 1)}/${d.getFullYear()} ${p2(d.getHours())}:${p2(d.getMinutes())}`;
}

/** "09:41" */
export function clock(ms: number): string {
  const d = new Date(ms);
  return `${p2(d.getHours())}:${p2(d.getMinutes())}`;
}

export const TABS = ["transactions", "unmatched", "invoices", "customers", "day-end"] as const;
export type Tab = (typeof TABS)[number];

/** `#/manager/invoices` → "invoices"; anything else under #/manager → "transactions". */
export function tabOf(hash: string): Tab {
  const part = hash.replace(/^#\/manager\/?/, "").split(/[/?]/)[0] ?? "";
  return (TABS as readonly string[]).includes(part) ? (part as Tab) : "transactions";
}
