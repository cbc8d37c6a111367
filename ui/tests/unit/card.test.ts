import { describe, expect, it } from "vitest";
import { simulatorMessage } from "../../src/lib/card";

const url = "http://127.0.0.1:40123/checkout/ac_1?embed=1";
const msg = (extra: Record<string, unknown>) => ({ source: "malipo-sim-paystack", accessCode: "ac_1", ...extra });

describe("card simulator messages", () => {
  it("reads success with its reference, cancel and error", () => {
    expect(simulatorMessage("http://127.0.0.1:40123", msg({ type: "success", reference: "MLP-1" }), url, "ac_1")).toEqual({
      type: "success",
      reference: "MLP-1",
      message: null,
    });
    expect(simulatorMessage("http://127.0.0.1:40123", msg({ type: "cancel" }), url, "ac_1")?.type).toBe("cancel");
    expect(simulatorMessage("http://127.0.0.1:40123", msg({ type: "error", message: "x" }), url, "ac_1")?.message).toBe("x");
  });

  it("ignores other origins, other checkouts and other shapes", () => {
    expect(simulatorMessage("http://evil.test", msg({ type: "success" }), url, "ac_1")).toBeNull();
    expect(simulatorMessage("http://127.0.0.1:40123", msg({ type: "success", accessCode: "ac_2" }), url, "ac_1")).toBeNull();
    expect(simulatorMessage("http://127.0.0.1:40123", { type: "success" }, url, "ac_1")).toBeNull();
    expect(simulatorMessage("http://127.0.0.1:40123", "success", url, "ac_1")).toBeNull();
    expect(simulatorMessage("http://127.0.0.1:40123", msg({ type: "paid" }), url, "ac_1")).toBeNull();
    expect(simulatorMessage("http://127.0.0.1:40123", msg({ type: "success" }), null, "ac_1")).toBeNull();
  });
});
