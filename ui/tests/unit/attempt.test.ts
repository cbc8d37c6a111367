import { describe, expect, it } from "vitest";
import { clock, outcomeView, secondsLeft } from "../../src/lib/attempt";
import { attempt } from "./fixtures";

describe("outcomeView", () => {
  it("makes every outcome distinct in tone, icon and words", () => {
    const states = ["confirmed", "cancelled", "timed_out", "expired", "failed", "unreachable", "stopped"] as const;
    const views = states.map((s) => outcomeView(attempt(s), "No reason."));
    expect(new Set(views.map((v) => v.title)).size).toBe(states.length);
    expect(views.every((v) => v.icon !== "")).toBe(true);
    expect(outcomeView(attempt("confirmed"), "").tone).toBe("success");
    expect(outcomeView(attempt("confirmed"), "").retry).toBe(false);
    expect(outcomeView(attempt("cancelled"), "").retry).toBe(true);
    expect(outcomeView(attempt("timed_out"), "").retry).toBe(true);
  });

  it("puts the provider's reason into a sentence, or says there was none", () => {
    expect(outcomeView(attempt("failed", { reason: "Insufficient funds" }), "No reason.").params).toEqual({ reason: "Insufficient funds." });
    expect(outcomeView(attempt("failed", { reason: "DS timeout." }), "No reason.").params).toEqual({ reason: "DS timeout." });
    expect(outcomeView(attempt("failed", { reason: "  " }), "No reason was given.").params).toEqual({ reason: "No reason was given." });
  });
});

describe("countdown", () => {
  it("counts whole seconds down to the deadline, never below zero", () => {
    const a = attempt("pending", { deadline_ms: 1_060_000 });
    expect(secondsLeft(a, 1_000_000)).toBe(60);
    expect(secondsLeft(a, 1_059_001)).toBe(1);
    expect(secondsLeft(a, 1_060_000)).toBe(0);
    expect(secondsLeft(a, 2_000_000)).toBe(0);
    expect(clock(65)).toBe("1:05");
    expect(clock(0)).toBe("0:00");
  });
});
