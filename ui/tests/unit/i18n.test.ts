import { describe, expect, it } from "vitest";
import { catalogue, errorText, translate } from "../../src/lib/i18n";

describe("message catalogue", () => {
  it("has every key in English and Kiswahili, none empty", () => {
    const en = Object.keys(catalogue.en).sort();
    expect(Object.keys(catalogue.sw).sort()).toEqual(en);
    for (const lang of ["en", "sw"] as const) {
      for (const [k, v] of Object.entries(catalogue[lang])) expect(v.trim(), `${lang}.${k}`).not.toBe("");
    }
  });

  it("keeps the same placeholders in both languages", () => {
    const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const k of Object.keys(catalogue.en) as Array<keyof typeof catalogue.en>) {
      expect(holes(catalogue.sw[k]), k).toEqual(holes(catalogue.en[k]));
    }
  });

  it("fills placeholders", () => {
    expect(translate("en", "give_change", { amount: "KES 185.00" })).toBe("Give change: KES 185.00");
    expect(translate("sw", "relay_waiting", { n: 3 })).toBe("Matukio 3 yanasubiri");
  });

  it("shows a catalogue text for known error codes and the backend's message otherwise", () => {
    expect(errorText("en", { code: "wrong_pin", message: "x" })).toBe("Wrong name or PIN. Try again.");
    expect(errorText("sw", { code: "unknown_item", message: "x" })).toContain("Hakuna bidhaa");
    expect(errorText("en", { code: "something_new", message: "The relay said no." })).toBe("The relay said no.");
  });
});
