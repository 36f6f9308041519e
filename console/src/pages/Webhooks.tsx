import { useState } from "preact/hooks";
import { api } from "../api/client";
import type { CreatedWebhook, WebhookEndpoint } from "../api/types";
import { href } from "../router";
import { Alert, Badge, Empty, Loading, Page, SecretOnce } from "../ui/components";
import { dateTime } from "../ui/format";
import { useAction, useResource } from "../ui/hooks";
import { SetupTabs } from "./SetupTabs";
import { WebhookForm, type WebhookFields } from "./WebhookForm";

const NEW_ENDPOINT: WebhookFields = { url: "", description: "", events: ["call.completed", "approval.requested"], enabled: true };

/** Setup → Webhooks: the workspace's endpoints and a form to add one (its signing secret shown once). */
export function Webhooks() {
  const endpoints = useResource(() => api<{ webhooks: WebhookEndpoint[] }>("/api/webhooks"));
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  const [formKey, setFormKey] = useState(0);
  const create = useAction(async (fields: WebhookFields) => {
    const endpoint = await api<CreatedWebhook>("/api/webhooks", {
      body: { url: fields.url.trim(), events: fields.events, description: fields.description.trim() || null }, idempotent: true,
    });
    setCreated(endpoint);
    setFormKey((key) => key + 1);  // a fresh, empty form
    await endpoints.reload();
  });
  return (
    <Page title="Webhooks" intro="CallFunnel tells your own systems (a CRM, a data warehouse) what happens, as signed HTTPS requests: calls, approvals, runs, opt-outs.">
      <SetupTabs current="/setup/webhooks" />
      {created?.secret && (
        <SecretOnce title={`Endpoint added: ${created.url}`} label="Signing secret" secret={created.secret}
          doneLabel="I have saved it — hide the secret" onDone={() => setCreated(null)}>
          Your receiver checks every request's <code>webhook-signature</code> with it (Standard Webhooks). We cannot
          show it again; if you lose it, delete the endpoint and add it again. <a href={href(`/setup/webhooks/${created.id}`)}>Send it a test event</a>.
        </SecretOnce>
      )}
      <section class="card" aria-labelledby="endpoints-title">
        <h2 id="endpoints-title">Your endpoints</h2>
        <Alert error={endpoints.error} retry={endpoints.reload} />
        {!endpoints.data && !endpoints.error && <Loading />}
        {endpoints.data && endpoints.data.webhooks.length === 0 && <Empty>No endpoints yet. Add one below.</Empty>}
        {endpoints.data && endpoints.data.webhooks.length > 0 && (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Webhook endpoints</caption>
              <thead><tr><th scope="col">Endpoint</th><th scope="col">Events</th><th scope="col">State</th><th scope="col">Added</th></tr></thead>
              <tbody>
                {endpoints.data.webhooks.map((endpoint) => (
                  <tr key={endpoint.id}>
                    <td><a href={href(`/setup/webhooks/${endpoint.id}`)}>{endpoint.url}</a>
                      {endpoint.description && <span class="stat-hint">{endpoint.description}</span>}</td>
                    <td>{endpoint.events.length === 1 ? endpoint.events[0] : `${endpoint.events.length} events`}</td>
                    <td><EndpointState endpoint={endpoint} /></td>
                    <td>{dateTime(endpoint.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <WebhookForm key={formKey} title="Add an endpoint" initial={NEW_ENDPOINT} submitLabel="Add endpoint" busy={create.busy}
        error={create.error} onSubmit={(fields) => void create.run(fields)} />
    </Page>
  );
}

export function EndpointState(props: { endpoint: WebhookEndpoint }) {
  const endpoint = props.endpoint;
  if (!endpoint.enabled) return <Badge value="disabled" />;
  if (endpoint.failing_since) return <><Badge value="failing" /> <span class="stat-hint">since {dateTime(endpoint.failing_since)}</span></>;
  return <Badge value="enabled" />;
}
