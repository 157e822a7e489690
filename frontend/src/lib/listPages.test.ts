import { describe, expect, it } from "vitest";
import { defineListFilters, param } from "./listPages";

interface Filters {
  q?: string;
  on?: boolean;
  ordering?: "name" | "-name";
  page?: number;
  page_size?: number;
}

const orderings = { name: "Name", "-name": "Name, backwards" } as const;

describe("defineListFilters", () => {
  const list = defineListFilters<Filters>({ fields: { q: param.text(), on: param.flag() }, orderings, defaultOrdering: "name" });

  it("writes the fields in their described order, then order and paging, leaving out defaults", () => {
    expect(list.toParams({ page: 2, ordering: "-name", on: false, q: "x" }).toString()).toBe("q=x&on=false&ordering=-name&page=2");
    expect(list.toParams({ ordering: "name", page: 1, page_size: 50 }).toString()).toBe("");
    expect(list.orderings).toEqual([
      { value: "name", label: "Name" },
      { value: "-name", label: "Name, backwards" },
    ]);
  });

  it("drops the default order when read, unless the list keeps it", () => {
    expect(list.parse(new URLSearchParams("ordering=name&page_size=201"))).toEqual({});
    const keeping = defineListFilters<Filters>({ fields: { q: param.text(), on: param.flag() }, orderings, defaultOrdering: "name", keepsDefaultOrdering: true });
    expect(keeping.parse(new URLSearchParams("ordering=name&page_size=200"))).toEqual({ ordering: "name", page_size: 200 });
  });
});
