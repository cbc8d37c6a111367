// Kenyan mobile numbers as the cashier types them, checked on every keystroke with the same
// rules as `malipo_core::Phone` (07…, 01…, 7…, 1…, 254…, +254…; spaces, dashes, dots and
// brackets ignored). The backend normalises again; this is for saying "not yet" / "wrong" early.

export type PhoneProblem =
  | "empty"
  | "invalid_character"
  | "not_kenyan"
  | "not_mobile"
  | "too_long"
  | "too_short";

export type PhoneCheck =
  /** A complete, valid number, normalised to `2547XXXXXXXX`. */
  | { state: "valid"; normalised: string; local: string }
  /** Fine so far, keep typing. */
  | { state: "incomplete" }
  | { state: "invalid"; problem: PhoneProblem };

export function checkPhone(input: string): PhoneCheck {
  const s = input.trim();
  if (s === "") return { state: "incomplete" };
  let digits = "";
  let plus = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charAt(i);
    if (ch >= "0" && ch <= "9") digits += ch;
    else if (" -.()".includes(ch)) continue;
    else if (ch === "+" && i === 0) plus = true;
    else return { state: "invalid", problem: "invalid_character" };
  }
  if (digits === "") return plus ? { state: "incomplete" } : { state: "invalid", problem: "invalid_character" };
  let national: string;
  if (plus || digits.startsWith("2")) {
    const cc = "254";
    if (digits.length < 3) {
      return cc.startsWith(digits) ? { state: "incomplete" } : { state: "invalid", problem: "not_kenyan" };
    }
    if (!digits.startsWith(cc)) {
      return plus || digits.length >= 12 || digits.startsWith("25")
        ? { state: "invalid", problem: "not_kenyan" }
        : { state: "invalid", problem: "not_mobile" };
    }
    national = digits.slice(3);
    if (national.startsWith("0")) national = national.slice(1);
  } else if (digits.startsWith("0")) {
    national = digits.slice(1);
  } else {
    national = digits;
  }
  if (national === "") return { state: "incomplete" };
  const first = national.charAt(0);
  if (first !== "7" && first !== "1") return { state: "invalid", problem: "not_mobile" };
  if (national.length < 9) return { state: "incomplete" };
  if (national.length > 9) return { state: "invalid", problem: "too_long" };
  const normalised = `254${national}`;
  return { state: "valid", normalised, local: localForm(normalised) };
}

/** `0712 345 678` from `254712345678`. */
export function localForm(normalised: string): string {
  const n = normalised.slice(3);
  return `0${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`;
}

/** Same as checkPhone, but an incomplete number is an error (used when the cashier presses Send). */
export function finalPhone(input: string): PhoneCheck {
  const c = checkPhone(input);
  if (c.state === "incomplete") {
    return { state: "invalid", problem: input.trim() === "" ? "empty" : "too_short" };
  }
  return c;
}
