import { describe, expect, it } from "vitest";
import { checkPhone, finalPhone } from "../../src/lib/phone";

describe("checkPhone", () => {
  it("accepts every common Kenyan form", () => {
    for (const s of ["0712345678", "0712 345 678", "0712-345-678", "254712345678", "+254712345678", "+254 712 345 678", "+254 0712 345678", "712345678", "(0712) 345678"]) {
      expect(checkPhone(s), s).toEqual({ state: "valid", normalised: "254712345678", local: "0712 345 678" });
    }
    expect(checkPhone("0110 123 456")).toMatchObject({ state: "valid", normalised: "254110123456" });
    expect(checkPhone("+254110123456")).toMatchObject({ state: "valid", normalised: "254110123456" });
  });

  it("says 'keep typing' while a valid number is being typed", () => {
    for (const s of ["", "0", "07", "0712", "071234567", "+", "+2", "+25", "+254", "2547", "25471234567", "01"]) {
      expect(checkPhone(s).state, s).toBe("incomplete");
    }
  });

  it("says what is wrong as soon as it is wrong", () => {
    expect(checkPhone("07a")).toEqual({ state: "invalid", problem: "invalid_character" });
    expect(checkPhone("02")).toEqual({ state: "invalid", problem: "not_mobile" });
    expect(checkPhone("0201234567")).toEqual({ state: "invalid", problem: "not_mobile" });
    expect(checkPhone("+255712345678")).toEqual({ state: "invalid", problem: "not_kenyan" });
    expect(checkPhone("255712345678")).toEqual({ state: "invalid", problem: "not_kenyan" });
    expect(checkPhone("+1")).toEqual({ state: "invalid", problem: "not_kenyan" });
    expect(checkPhone("07123456789")).toEqual({ state: "invalid", problem: "too_long" });
    expect(checkPhone("07+12345678")).toEqual({ state: "invalid", problem: "invalid_character" });
  });

  it("finalPhone treats an incomplete number as too short (Send pressed)", () => {
    expect(finalPhone("0712")).toEqual({ state: "invalid", problem: "too_short" });
    expect(finalPhone("")).toEqual({ state: "invalid", problem: "empty" });
    expect(finalPhone("0712345678").state).toBe("valid");
  });
});
