import { describe, expect, it } from "vitest";
import { clock, outcomeView, phonePrompts, secondsLeft } from "../../src/lib/attempt";
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

describe("phonePrompts (the training customer's phone)", () => {
  it("keeps a prompt the till stopped waiting for, so the customer can still pay late", () => {
    const a = attempt("pending", { attempt_id: 7 });
    const shown = phonePrompts([], a);
    expect(shown.map((p) => p.attempt_id)).toEqual([7]);
    const stopped = phonePrompts(shown, attempt("stopped", { attempt_id: 7 }));
    expect(stopped.map((p) => [p.attempt_id, p.state])).toEqual([[7, "stopped"]]);
  });

  it("takes a prompt off once it is answered or over, and shows the newest first", () => {
    const two = phonePrompts(phonePrompts([], attempt("pending", { attempt_id: 1 })), attempt("pending", { attempt_id: 2 }));
    expect(two.map((p) => p.attempt_id)).toEqual([2, 1]);
    for (const end of ["confirmed", "cancelled", "timed_out", "expired", "failed", "unreachable"] as const) {
      expect(phonePrompts(two, attempt(end, { attempt_id: 2 })).map((p) => p.attempt_id)).toEqual([1]);
    }
  });
});
