import { describe, expect, it } from "vitest";
import { errorFiltersToParams, isFiltered, parseErrorFilters } from "./errorFilters";

function parse(search: string) {
  return parseErrorFilters(new URLSearchParams(search));
}

describe("error log filters in the address", () => {
  it("reads every filter the API takes", () => {
    expect(
      parse("q=+payment+&level=CRITICAL&resolved=false&since=2026-11-27T09:00:00Z&until=2026-11-28&ordering=-occurrences&page=3&page_size=25"),
    ).toEqual({
      q: "payment",
      level: "CRITICAL",
      resolved: false,
      since: "2026-11-27T09:00:00Z",
      until: "2026-11-28",
      ordering: "-occurrences",
      page: 3,
      page_size: 25,
    });
  });

  it("drops what the API would refuse, and defaults", () => {
    expect(
      parse("q=&level=WARNING&resolved=maybe&since=yesterday&ordering=message&page=0&page_size=500"),
    ).toEqual({});
    expect(parse("page=1&page_size=50")).toEqual({});
  });

  it("writes them back in one order, without defaults, so equal views have equal addresses", () => {
    const search = "q=payment&level=ERROR&resolved=true&since=2026-11-27T09%3A00%3A00Z&ordering=level&page=2";
    expect(errorFiltersToParams(parse(search)).toString()).toBe(search);
    expect(errorFiltersToParams(parse("page=2&q=payment")).toString()).toBe("q=payment&page=2");
    expect(errorFiltersToParams({ page: 1, page_size: 50 }).toString()).toBe("");
  });

  it("tells filters from order and paging", () => {
    expect(isFiltered({ ordering: "level", page: 2 })).toBe(false);
    expect(isFiltered({ resolved: false })).toBe(true);
    expect(isFiltered({ q: "x" })).toBe(true);
  });
});
