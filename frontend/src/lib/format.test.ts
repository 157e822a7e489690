import { describe, expect, it } from "vitest";
import { readerInTimeZone } from "../test/timeZone";
import { formatDateTime, formatDuration, formatInstant, formatTick, formatValue, timeZoneLabel } from "./format";

describe("formatValue", () => {
  it.each([
    [36.2, "%", "36.2%"],
    [0, "%", "0%"],
    [123.456, "ms", "123 ms"],
    [1.0249, "ms", "1.02 ms"],
    [0.0523, "ms", "0.052 ms"],
    [1234, "requests", "1,234 requests"],
    [1, "workers", "1 worker"],
    [1, "queries", "1 query"],
    [1, "ms", "1 ms"],
    [2, "workers", "2 workers"],
    [512.4, "MB", "512 MB"],
    [0.0046, "USD", "$0.005"],
    [12.5, "USD", "$12.50"],
    [42, "", "42"],
  ])("%d %s is %s", (value, unit, text) => {
    expect(formatValue(value, unit)).toBe(text);
  });
});

describe("formatTick", () => {
  it("keeps symbols and leaves nouns to the chart's title", () => {
    expect(formatTick(80, "%")).toBe("80%");
    expect(formatTick(120, "ms")).toBe("120 ms");
    expect(formatTick(1500, "requests")).toBe("1,500");
  });
});

describe("formatInstant", () => {
  const instant = "2026-11-27T16:28:40Z";

  it("names the zone it shows the time in", () => {
    expect(formatDateTime(instant, { timeZone: "Europe/Paris", locale: "en-GB" })).toBe("27 Nov 2026, 17:28:40 CET");
    expect(formatDateTime(instant, { timeZone: "UTC", locale: "en-GB" })).toBe("27 Nov 2026, 16:28:40 UTC");
    expect(formatDateTime(instant, { timeZone: "Asia/Kolkata", locale: "en-GB" })).toBe("27 Nov 2026, 21:58:40 GMT+5:30");
    expect(formatInstant(instant, { style: "minutes", timeZone: "America/New_York", locale: "en-US" })).toBe("Nov 27, 2026, 11:28 AM EST");
    expect(formatInstant(instant, { style: "time", timeZone: "Europe/Paris", locale: "en-GB" })).toBe("17:28:40 CET");
  });

  it("leaves the zone out only when asked (a chart's axis; its title names the zone)", () => {
    expect(formatInstant(instant, { style: "clock", zone: false, timeZone: "Europe/Paris", locale: "en-GB" })).toBe("17:28");
    expect(timeZoneLabel(instant, { timeZone: "Europe/Paris", locale: "en-GB" })).toBe("CET");
    expect(timeZoneLabel("2026-06-27T16:28:40Z", { timeZone: "Europe/Paris", locale: "en-GB" })).toBe("CEST");
  });

  it("uses the reader's zone by default, and follows it when it changes", () => {
    readerInTimeZone("Asia/Kolkata");
    expect(formatDateTime(instant)).toMatch(/9:58:40\sPM GMT\+5:30$/);
    readerInTimeZone("America/New_York");
    expect(formatDateTime(instant)).toMatch(/11:28:40\sAM EST$/);
    expect(timeZoneLabel(Date.parse(instant))).toBe("EST");
  });

  it("says nothing for an unreadable instant", () => {
    expect(formatInstant("not a time")).toBe("");
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0 s"],
    [45, "45 s"],
    [750, "12 min 30 s"],
    [7200, "2 h"],
    [7260, "2 h 1 min"],
    [90_061, "1 d 1 h"],
    [86_460, "1 d"],
  ])("%s s is %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
