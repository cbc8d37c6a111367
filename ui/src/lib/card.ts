// The sandbox card checkout (the Paystack simulator's page, `…/checkout/<access_code>?embed=1`)
// runs in an iframe over the register and reports how it ended with postMessage:
// `{ source: "malipo-sim-paystack", accessCode, type: "load" | "success" | "cancel" | "error",
//    reference?, message? }`. Only messages from the simulator's origin about this checkout count.

export interface SimulatorMessage {
  type: "load" | "success" | "cancel" | "error";
  reference: string | null;
  message: string | null;
}

export function simulatorMessage(
  origin: string,
  data: unknown,
  simulatorUrl: string | null,
  accessCode: string,
): SimulatorMessage | null {
  if (simulatorUrl === null) return null;
  let expected: string;
  try {
    expected = new URL(simulatorUrl).origin;
  } catch {
    return null;
  }
  if (origin !== expected) return null;
  if (typeof data !== "object" || data === null) return null;
  const d = data as Record<string, unknown>;
  if (d["source"] !== "malipo-sim-paystack" || d["accessCode"] !== accessCode) return null;
  const type = d["type"];
  if (type !== "load" && type !== "success" && type !== "cancel" && type !== "error") return null;
  return {
    type,
    reference: typeof d["reference"] === "string" ? d["reference"] : null,
    message: typeof d["message"] === "string" ? d["message"] : null,
  };
}
