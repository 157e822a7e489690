import { describe, expect, it } from "vitest";
import { acknowledgedPhrase } from "./acknowledger";

describe("acknowledgedPhrase", () => {
  it("names the person, else says a link did it, else that the user is gone", () => {
    expect(acknowledgedPhrase({ acknowledged_by: "alice", acknowledged_via: "api" })).toBe("by alice");
    expect(acknowledgedPhrase({ acknowledged_by: "bob", acknowledged_via: "link" })).toBe("by bob");
    expect(acknowledgedPhrase({ acknowledged_by: null, acknowledged_via: "link" })).toBe("through a link in a message");
    expect(acknowledgedPhrase({ acknowledged_by: null, acknowledged_via: "api" })).toBe("by a user since deleted");
  });
});
