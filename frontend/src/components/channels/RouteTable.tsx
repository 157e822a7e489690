import { useId } from "react";
import type { RoutePreview } from "../../types/alerts";

/** Where an alert would go: each channel and target, and whether its rule or a policy sends it. */
export function RouteTable({ preview }: { preview: RoutePreview }) {
  const captionId = useId();
  const values = Object.entries(preview.values).filter(([, value]) => value !== "");
  return (
    <div className="route-preview">
      {values.length > 0 && (
        <p className="muted">
          Matched on{" "}
          {values.map(([name, value], index) => (
            <span key={name}>
              {index > 0 && ", "}
              <code>
                {name}={value}
              </code>
            </span>
          ))}
          .
        </p>
      )}
      {preview.routes.length === 0 ? (
        <p className="notice notice--warning">Nowhere: no channel of the rule and no policy takes this alert.</p>
      ) : (
        <div className="table-scroll" role="region" aria-labelledby={captionId} tabIndex={0}>
          <table className="table">
            <caption id={captionId} className="visually-hidden">
              Where it would go
            </caption>
            <thead>
              <tr>
                <th scope="col">Channel</th>
                <th scope="col">Kind</th>
                <th scope="col">To</th>
                <th scope="col">Because of</th>
              </tr>
            </thead>
            <tbody>
              {preview.routes.map((route) => (
                <tr key={`${route.channel_id}-${route.target}`}>
                  <th scope="row">
                    {route.channel_name}
                    {!route.is_active && <span className="badge badge--inactive">Off: nothing sent</span>}
                  </th>
                  <td>{route.kind}</td>
                  <td>{route.target ? <code>{route.target}</code> : <span className="muted">its own destination</span>}</td>
                  <td>{route.via === "policy" ? `policy ${route.policy_name}` : "the rule"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
