import {
  closestCenter,
  DndContext,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
  type DragEndEvent,
} from "@dnd-kit/core";
import { arrayMove, SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import { useId, useState, type SubmitEvent } from "react";
import { Link } from "react-router";
import { LabelPairsEditor } from "../components/alerts/LabelFields";
import type { LabelRow } from "../components/alerts/ruleForm";
import { PolicyFormDialog } from "../components/channels/PolicyFormDialog";
import { RouteTable } from "../components/channels/RouteTable";
import { ConfirmDialog } from "../components/ui/ConfirmDialog";
import { EmptyState } from "../components/ui/EmptyState";
import { Field } from "../components/ui/Field";
import { LoadingState } from "../components/ui/LoadingState";
import { QueryError } from "../components/ui/QueryError";
import { useChannels, useDeletePolicy, usePolicies, usePreviewRoutes, useReorderPolicies } from "../hooks/alerts/useChannels";
import { PERMISSIONS, useCan } from "../hooks/auth/permissions";
import { usePageTitle } from "../hooks/usePageTitle";
import { formatDuration } from "../lib/format";
import { paths } from "../routes/paths";
import { SEVERITIES, type NotificationChannel, type NotificationPolicy, type RoutePreviewRequest, type Severity } from "../types/alerts";

function matchersText(policy: NotificationPolicy): string {
  const matchers = policy.matchers ?? [];
  if (matchers.length === 0) return "every alert";
  return matchers.map((matcher) => `${matcher.label} ${matcher.op} ${matcher.value === "" ? '""' : matcher.value}`).join(", ");
}

interface PolicyItemProps {
  policy: NotificationPolicy;
  index: number;
  count: number;
  channels: readonly NotificationChannel[];
  mayReorder: boolean;
  mayChange: boolean;
  mayDelete: boolean;
  onMove: (from: number, to: number) => void;
  onEdit: () => void;
  onDelete: () => void;
}

/** One policy of the order: what it matches, where it sends, whether the routing goes on. */
function PolicyItem({ policy, index, count, channels, mayReorder, mayChange, mayDelete, onMove, onEdit, onDelete }: PolicyItemProps) {
  const titleId = useId();
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({
    id: policy.id,
    disabled: !mayReorder,
  });
  const style = { transform: CSS.Transform.toString(transform), transition };
  const names = policy.channels.map((id) => channels.find((channel) => channel.id === id)?.name ?? `#${id}`);
  return (
    <li
      ref={setNodeRef}
      style={style}
      className={`policy-item${isDragging ? " is-dragging" : ""}`}
      aria-labelledby={titleId}
    >
      {mayReorder && (
        <button
          type="button"
          className="button button--secondary button--small policy-item__handle"
          aria-label={`Drag ${policy.name} to another place`}
          {...attributes}
          {...listeners}
        >
          <span aria-hidden="true">⠿</span>
        </button>
      )}
      <div className="policy-item__body">
        <h3 id={titleId} className="policy-item__title">
          <span className="policy-item__position">{index + 1}.</span> {policy.name}
          {policy.is_active === false && <span className="badge badge--inactive">Off</span>}
        </h3>
        <p>
          <span className="muted">Matches</span> <code>{matchersText(policy)}</code> <span className="muted">→</span>{" "}
          {names.join(", ")}
        </p>
        <p className="muted">{policy.continue ? "Then continues to the next policies." : "Stops here when it matches."}</p>
        {(policy.group_by ?? []).length > 0 && (
          <p className="muted">
            Grouped by {policy.group_by?.includes("...") ? "every label" : (policy.group_by ?? []).join(", ")}: waits{" "}
            {formatDuration(policy.group_wait_seconds ?? 30)}, then every {formatDuration(policy.group_interval_seconds ?? 300)}, repeats
            after {formatDuration(policy.repeat_interval_seconds ?? 14400)}.
          </p>
        )}
        {policy.escalate_after_minutes != null && (
          <p className="muted">
            Escalates after {policy.escalate_after_minutes} min unacknowledged to{" "}
            {(policy.escalation_channels ?? []).map((id) => channels.find((channel) => channel.id === id)?.name ?? `#${id}`).join(", ")}.
          </p>
        )}
      </div>
      <div className="policy-item__actions">
        {mayReorder && (
          <>
            <button
              type="button"
              className="button button--secondary button--small"
              aria-label={`Move ${policy.name} up`}
              aria-disabled={index === 0}
              onClick={() => {
                if (index > 0) onMove(index, index - 1);
              }}
            >
              Up
            </button>
            <button
              type="button"
              className="button button--secondary button--small"
              aria-label={`Move ${policy.name} down`}
              aria-disabled={index === count - 1}
              onClick={() => {
                if (index < count - 1) onMove(index, index + 1);
              }}
            >
              Down
            </button>
          </>
        )}
        {policy.provisioned && <span className="muted">Provisioned from {policy.provisioned}: read-only.</span>}
        {mayChange && !policy.provisioned && (
          <button type="button" className="button button--secondary button--small" aria-label={`Edit ${policy.name}`} onClick={onEdit}>
            Edit
          </button>
        )}
        {mayDelete && !policy.provisioned && (
          <button
            type="button"
            className="button button--danger-outline button--small"
            aria-label={`Delete ${policy.name}`}
            onClick={onDelete}
          >
            Delete
          </button>
        )}
      </div>
    </li>
  );
}

/** The labels as the API takes them; a row blank on both sides is none. */
function labelsOf(rows: readonly LabelRow[]): Record<string, string> {
  return Object.fromEntries(rows.filter((row) => row.name.trim() !== "" || row.value !== "").map((row) => [row.name.trim(), row.value]));
}

/** "Where would this alert go?" for an alert described by its severity, metric, rule name and labels. */
function PreviewForm() {
  const id = useId().replace(/:/g, "");
  const preview = usePreviewRoutes();
  const [severity, setSeverity] = useState<Severity | "">("");
  const [metric, setMetric] = useState("");
  const [rule, setRule] = useState("");
  const [labels, setLabels] = useState<LabelRow[]>([]);
  const errors = preview.error?.fieldErrors ?? {};
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (preview.isPending) return;
    const body: RoutePreviewRequest = { metric: metric.trim(), rule: rule.trim(), labels: labelsOf(labels) };
    if (severity) body.severity = severity;
    preview.mutate(body);
  };
  return (
    <section className="panel" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Where would this alert go?</h2>
      <form className="form" onSubmit={submit} noValidate aria-label="Describe an alert">
        <div className="form-grid">
          <Field id={`${id}-severity`} label="Severity" errors={errors.severity}>
            {(control) => (
              <select
                {...control}
                className="field__input"
                value={severity}
                onChange={(event) => {
                  setSeverity(SEVERITIES.find((choice) => choice === event.target.value) ?? "");
                }}
              >
                <option value="">Any</option>
                {SEVERITIES.map((choice) => (
                  <option key={choice} value={choice}>
                    {choice}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id={`${id}-metric`} label="Metric" errors={errors.metric}>
            {(control) => (
              <input
                {...control}
                className="field__input"
                autoComplete="off"
                value={metric}
                onChange={(event) => {
                  setMetric(event.target.value);
                }}
              />
            )}
          </Field>
          <Field id={`${id}-rule`} label="Rule name" errors={errors.rule}>
            {(control) => (
              <input
                {...control}
                className="field__input"
                autoComplete="off"
                value={rule}
                onChange={(event) => {
                  setRule(event.target.value);
                }}
              />
            )}
          </Field>
          <LabelPairsEditor
            id={`${id}-labels`}
            legend="Labels"
            hint="The alert's labels (team = payments, route = /api/orders/)."
            rows={labels}
            onChange={setLabels}
            errors={errors}
          />
        </div>
        <div>
          <button type="submit" className="button button--primary" aria-busy={preview.isPending} aria-disabled={preview.isPending}>
            {preview.isPending ? "Working it out…" : "Show where it would go"}
          </button>
        </div>
      </form>
      <div aria-live="polite">
        {preview.data && <RouteTable preview={preview.data} />}
        {preview.error && Object.keys(errors).length === 0 && (
          <p className="notice notice--error">Could not work it out: {preview.error.message}</p>
        )}
      </div>
    </section>
  );
}

type Editing = { policy: NotificationPolicy | null } | null;

/**
 * The notification policies, in order: an alert goes to the channels of every matching policy,
 * down to the first match that does not continue. Managers add, change, delete and reorder them
 * (by dragging, or with the Up and Down buttons); everyone can ask where an alert would go.
 */
export function PoliciesPage() {
  usePageTitle("Notification policies");
  const can = useCan();
  const mayAdd = can(PERMISSIONS.addPolicies);
  const mayChange = can(PERMISSIONS.changePolicies);
  const mayDelete = can(PERMISSIONS.deletePolicies);
  const policies = usePolicies();
  const channels = useChannels();
  const reorder = useReorderPolicies();
  const remove = useDeletePolicy();
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<NotificationPolicy | null>(null);
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  const channelList = channels.data?.results ?? [];

  const move = (list: readonly NotificationPolicy[], from: number, to: number) => {
    const moved = list[from];
    if (!moved || from === to || reorder.isPending) return;
    const order = arrayMove([...list], from, to).map((policy) => policy.id);
    reorder.mutate(order, {
      onSuccess: () => {
        setNotice({ text: `Moved ${moved.name} to place ${to + 1}.`, error: false });
      },
      onError: (error) => {
        setNotice({ text: `Could not reorder the policies: ${error.message}`, error: true });
      },
    });
  };

  let body;
  if (policies.isPending) {
    body = <LoadingState label="Loading the policies…" />;
  } else if (policies.isError) {
    body = <QueryError error={policies.error} what="the policies" onRetry={() => void policies.refetch()} />;
  } else if (policies.data.results.length === 0) {
    body = (
      <EmptyState title="No policy yet">
        <p className="muted">Alerts go only where their rules send them.</p>
      </EmptyState>
    );
  } else {
    const list = policies.data.results;
    const onDragEnd = (event: DragEndEvent) => {
      const { active, over } = event;
      if (!over || active.id === over.id) return;
      const from = list.findIndex((policy) => policy.id === active.id);
      const to = list.findIndex((policy) => policy.id === over.id);
      if (from >= 0 && to >= 0) move(list, from, to);
    };
    body = (
      <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
        <SortableContext items={list.map((policy) => policy.id)} strategy={verticalListSortingStrategy}>
          <ol className="policy-list" aria-label="Policies, in order">
            {list.map((policy, index) => (
              <PolicyItem
                key={policy.id}
                policy={policy}
                index={index}
                count={list.length}
                channels={channelList}
                mayReorder={mayChange}
                mayChange={mayChange}
                mayDelete={mayDelete}
                onMove={(from, to) => {
                  move(list, from, to);
                }}
                onEdit={() => {
                  setNotice(null);
                  setEditing({ policy });
                }}
                onDelete={() => {
                  setNotice(null);
                  setDeleting(policy);
                }}
              />
            ))}
          </ol>
        </SortableContext>
      </DndContext>
    );
  }

  return (
    <>
      <div className="page-header page-header--split">
        <div>
          <h1>Notification policies</h1>
          <p className="muted">
            Besides the channels its rule names, an alert goes to the channels of each policy that matches it, in this
            order, down to the first match that does not continue. The channels are on the{" "}
            <Link to={paths.integrations}>Integrations</Link> page.
          </p>
        </div>
        {mayAdd && (
          <button
            type="button"
            className="button button--primary"
            onClick={() => {
              setNotice(null);
              setEditing({ policy: null });
            }}
          >
            Add policy
          </button>
        )}
      </div>
      <div aria-live="polite">
        {notice && (
          <p className={`notice ${notice.error ? "notice--error" : "notice--success"}`} role="status">
            {notice.text}
          </p>
        )}
      </div>
      <div className="page-sections">
        <section className="section" aria-label="Policies">
          {body}
        </section>
        <PreviewForm />
      </div>
      {editing && (
        <PolicyFormDialog
          policy={editing.policy}
          channels={channelList}
          onCancel={() => {
            setEditing(null);
          }}
          onDone={(saved) => {
            setNotice({ text: editing.policy ? `Saved ${saved.name}.` : `Added ${saved.name}.`, error: false });
            setEditing(null);
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete the policy ${deleting.name}?`}
          confirmLabel="Delete policy"
          destructive
          busy={remove.isPending}
          onCancel={() => {
            setDeleting(null);
          }}
          onConfirm={() => {
            remove.mutate(deleting.id, {
              onSuccess: () => {
                setNotice({ text: `Deleted ${deleting.name}.`, error: false });
                setDeleting(null);
              },
              onError: (error) => {
                setNotice({ text: `Could not delete ${deleting.name}: ${error.message}`, error: true });
                setDeleting(null);
              },
            });
          }}
        >
          Alerts it matches no longer go to its channels; the other policies keep their order.
        </ConfirmDialog>
      )}
    </>
  );
}
