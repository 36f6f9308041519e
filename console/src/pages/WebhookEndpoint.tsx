import { Component } from "preact";
import { useState } from "preact/hooks";
import { api, query } from "../api/client";
import type { Delivery, DeliveryPage, WebhookEndpoint as Endpoint } from "../api/types";
import { href, navigate } from "../router";
import { isAdmin, useSession } from "../session";
import { Alert, Badge, ConfirmDialog, Empty, Loading, Notice, Page } from "../ui/components";
import { dateTime, relative } from "../ui/format";
import { useAction, usePoll, useResource } from "../ui/hooks";
import { SetupTabs } from "./SetupTabs";
import { WebhookForm, type WebhookFields } from "./WebhookForm";
import { EndpointState } from "./Webhooks";

/** While a delivery is pending, the view refreshes its deliveries: one request per tick, whatever the count. */
export const DELIVERIES_POLL_MS = 2000;
const DELIVERIES_PAGE = 50;

/** One endpoint: edit it, send it a test event, delete it, and its deliveries (Retry on a failed one). */
export function WebhookEndpoint(props: { id: string }) {
  const session = useSession();
  const path = `/api/webhooks/${encodeURIComponent(props.id)}`;
  const endpoint = useResource(() => api<Endpoint>(path), [props.id]);
  const deliveries = useResource(() => api<DeliveryPage>(`${path}/deliveries${query({ limit: DELIVERIES_PAGE })}`), [props.id]);
  const [formKey, setFormKey] = useState(0);
  const [saved, setSaved] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const pending = deliveries.data?.deliveries.some((delivery) => delivery.status === "pending") ?? false;
  usePoll(deliveries.reload, DELIVERIES_POLL_MS, pending);

  const save = useAction(async (fields: WebhookFields) => {
    setSaved(false);
    await api<Endpoint>(path, { method: "PUT", body: {
      url: fields.url.trim(), events: fields.events, enabled: fields.enabled, description: fields.description.trim() || null,
    } });
    await endpoint.reload();
    setFormKey((key) => key + 1);
    setSaved(true);
  });
  const test = useAction(async () => {
    await api(`${path}/test`, { method: "POST", idempotent: true });
    await deliveries.reload();
  });
  const retry = useAction(async (delivery: Delivery) => {
    await api(`${path}/deliveries/${encodeURIComponent(delivery.id)}/retry`, { method: "POST", idempotent: true });
    await deliveries.reload();
  });
  const remove = useAction(async () => {
    await api(path, { method: "DELETE" });
    setDeleting(false);
    navigate("/setup/webhooks");
  });

  const current = endpoint.data;
  return (
    <Page title={current ? `Webhook: ${current.url}` : "Webhook"} actions={current && <EndpointState endpoint={current} />}>
      <SetupTabs current="/setup/webhooks" />
      <p><a href={href("/setup/webhooks")}>All endpoints</a></p>
      {!current && (endpoint.error ? <Alert error={endpoint.error} retry={endpoint.reload} /> : <Loading />)}
      {current?.disabled_reason && <Notice tone="warning">Disabled by CallFunnel: {current.disabled_reason}. Fix the receiver, then enable it below.</Notice>}
      {current && (
        <section class="card" aria-labelledby="test-title">
          <h2 id="test-title">Try it</h2>
          <p>Send a signed <code>webhook.test</code> event to this endpoint now (even while it is disabled).</p>
          <div class="button-row">
            <button type="button" disabled={test.busy} onClick={() => test.run()}>{test.busy ? "Sending…" : "Send a test event"}</button>
            {isAdmin(session.me) && <button type="button" class="danger" onClick={() => setDeleting(true)}>Delete endpoint…</button>}
          </div>
          {!isAdmin(session.me) && <p class="muted">Only an owner or admin can delete an endpoint.</p>}
          <Alert error={test.error ?? remove.error} />
        </section>
      )}
      <section class="card" aria-labelledby="deliveries-title">
        <h2 id="deliveries-title">Deliveries</h2>
        <p class="muted" aria-live="polite">{pending ? "Updating while a delivery is pending." : "Kept for 30 days, newest first."}</p>
        <Alert error={deliveries.error ?? retry.error} retry={deliveries.error ? deliveries.reload : undefined} />
        {!deliveries.data && !deliveries.error && <Loading />}
        {deliveries.data && deliveries.data.deliveries.length === 0 && <Empty>Nothing sent yet. Send a test event above.</Empty>}
        {deliveries.data && deliveries.data.deliveries.length > 0 && (
          <div class="table-wrap">
            <table data-testid="deliveries">
              <caption class="visually-hidden">Deliveries, newest first</caption>
              <thead><tr><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Attempts</th>
                <th scope="col">Last answer</th><th scope="col">Next attempt</th><th scope="col">Created</th>
                <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
              <tbody>
                {deliveries.data.deliveries.map((delivery) => (
                  <DeliveryRow key={delivery.id} delivery={delivery} busy={retry.busy} onRetry={(row) => void retry.run(row)} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {current && (
        <>
          {saved && <Notice tone="success">Saved.</Notice>}
          <WebhookForm key={`${current.id}-${formKey}`} title="Change this endpoint" withEnabled submitLabel="Save changes"
            busy={save.busy} error={save.error} onSubmit={(fields) => void save.run(fields)}
            initial={{ url: current.url, description: current.description ?? "", events: current.events, enabled: current.enabled }} />
        </>
      )}
      <ConfirmDialog open={deleting} title="Delete this endpoint?" confirmLabel="Delete endpoint" danger busy={remove.busy}
        onCancel={() => setDeleting(false)} onConfirm={() => remove.run()}>
        <p>{current?.url} receives no more events, and its delivery history is no longer shown. This cannot be undone.</p>
      </ConfirmDialog>
    </Page>
  );
}

const SHOWN: Array<keyof Delivery> = ["status", "attempts", "last_status_code", "next_attempt_at", "last_error"];

/** One delivery; re-rendered only when what it shows changed (a poll touches only the rows that moved). */
class DeliveryRow extends Component<{ delivery: Delivery; busy: boolean; onRetry: (delivery: Delivery) => void }> {
  shouldComponentUpdate(next: { delivery: Delivery; busy: boolean }): boolean {
    return next.busy !== this.props.busy || SHOWN.some((field) => next.delivery[field] !== this.props.delivery[field]);
  }

  render() {
    const delivery = this.props.delivery;
    const answer = delivery.last_status_code ? `HTTP ${delivery.last_status_code}` : delivery.attempts ? "no answer" : "—";
    return (
      <tr>
        <td><code>{delivery.event_type}</code></td>
        <td><Badge value={delivery.status} /></td>
        <td>{delivery.attempts}</td>
        <td>{answer}{delivery.last_error && delivery.last_error !== answer && <span class="stat-hint">{delivery.last_error}</span>}</td>
        <td>{delivery.next_attempt_at ? relative(delivery.next_attempt_at) : "—"}</td>
        <td>{dateTime(delivery.created_at)}</td>
        <td class="actions">{delivery.status === "failed" && (
          <button type="button" class="secondary" disabled={this.props.busy} onClick={() => this.props.onRetry(delivery)}
            aria-label={`Retry the ${delivery.event_type} delivery of ${dateTime(delivery.created_at)}`}>Retry</button>
        )}</td>
      </tr>
    );
  }
}
