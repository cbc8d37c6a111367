// What the status bar says about the relay and the printer. Offline is calm, not alarming:
// cash sales still work.

import type { StatusView } from "./api";
import { timeOfDay } from "./cart";
import type { MessageKey, Params } from "./i18n";

export interface StatusItem {
  key: MessageKey;
  params?: Params;
  tone: "ok" | "calm";
}

export function relayItems(relay: StatusView["relay"]): StatusItem[] {
  const items: StatusItem[] = [
    relay.online
      ? { key: "relay_online", tone: "ok" }
      : {
          key: "relay_offline_since",
          params: { time: relay.offline_since_ms !== null ? timeOfDay(relay.offline_since_ms) : "—" },
          tone: "calm",
        },
  ];
  if (relay.waiting > 0) items.push({ key: "relay_waiting", params: { n: relay.waiting }, tone: "calm" });
  return items;
}

export function printerItem(printer: StatusView["printer"]): StatusItem {
  switch (printer.state) {
    case "ready":
      return { key: "printer_ready", tone: "ok" };
    case "offline":
      return { key: "printer_offline", tone: "calm" };
    case "none":
      return { key: "printer_none", tone: "calm" };
  }
}
