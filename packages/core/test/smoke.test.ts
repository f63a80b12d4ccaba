import { describe, expect, it } from "vitest";
import * as core from "@webkeras/core";

describe("@webkeras/core", () => {
  it("imports", () => {
    expect(typeof core).toBe("object");
  });
});
