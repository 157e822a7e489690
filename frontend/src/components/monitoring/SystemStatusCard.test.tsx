import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { SystemStatusCard } from "./SystemStatusCard";

const cpu = { name: "cpu_usage", label: "CPU usage", value: "36.2%", note: "average, last 5 min" };

describe("SystemStatusCard", () => {
  it("is neutral without a health, and says nothing about health", () => {
    render(<SystemStatusCard title="CPU usage" readings={[cpu]} />);

    const card = screen.getByRole("article");
    expect(card).toHaveClass("metric-card--neutral");
    expect(card).toHaveTextContent("CPU usage36.2%average, last 5 min");
  });

  it.each([
    ["ok", "OK"],
    ["warning", "Warning"],
    ["critical", "Critical"],
    ["unknown", "Unknown"],
  ] as const)("takes its colour from health %s and says it in words", (health, text) => {
    render(<SystemStatusCard title="CPU usage" readings={[cpu]} health={health} />);

    const card = screen.getByRole("article");
    expect(card).toHaveClass(`metric-card--${health}`);
    expect(card).toHaveTextContent(text);
  });

  it("names each reading of a group, and says no data", () => {
    render(
      <SystemStatusCard
        title="Redis"
        readings={[
          { name: "redis_memory_usage", label: "Redis memory", value: null, note: "average, last 5 min" },
          { name: "redis_connected_clients", label: "Redis clients", value: null, note: "average, last 5 min" },
        ]}
      />,
    );

    expect(screen.getByRole("article")).toHaveClass("metric-card--no-data");
    expect(screen.getByText("Redis memory").nextElementSibling).toHaveTextContent("No data");
    expect(screen.getByText("Redis clients").nextElementSibling).toHaveTextContent("No data");
  });
});
