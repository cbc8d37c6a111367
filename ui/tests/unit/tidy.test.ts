// The UI's house rules, checked on the source: only api.ts talks to Tauri; no float money
// (parseFloat, toFixed, dividing by 100); no visible text outside the message catalogue
// in the places that are easy to slip (alert/confirm).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "../../src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|svelte)$/.test(name) ? [p] : [];
  });
}

const sources = files(SRC).map((p) => ({ path: relative(SRC, p), text: readFileSync(p, "utf8") }));

describe("house rules", () => {
  it("only lib/api.ts imports @tauri-apps", () => {
    const offenders = sources.filter((f) => f.text.includes("@tauri-apps") && f.path !== join("lib", "api.ts"));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it("no float arithmetic on money", () => {
    const bad = /parseFloat|toFixed|\/\s*100\b|\*\s*0\.01/;
    expect(sources.filter((f) => bad.test(f.text)).map((f) => f.path)).toEqual([]);
  });

  it("no browser dialogs (alert/confirm/prompt) — every message goes through the catalogue", () => {
    const bad = /\b(window\.)?(alert|confirm|prompt)\(/;
    expect(sources.filter((f) => bad.test(f.text)).map((f) => f.path)).toEqual([]);
  });
});
