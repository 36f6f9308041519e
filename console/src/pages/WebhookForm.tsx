import { useId, useState } from "preact/hooks";
import { ApiError } from "../api/client";
import { errorFor, normaliseField, plainWords, unplacedError } from "../api/errors";
import { Alert, Checkbox, Field } from "../ui/components";
import { WEBHOOK_EVENTS } from "./webhookEvents";

export type WebhookFields = { url: string; description: string; events: string[]; enabled: boolean };
const FIELDS = ["url", "description", "events", "enabled"];

/** The endpoint's fields (creating one, or editing it); the API's refusals next to the field they name. */
export function WebhookForm(props: { title: string; initial: WebhookFields; submitLabel: string; busy: boolean;
  error: unknown; withEnabled?: boolean; onSubmit: (fields: WebhookFields) => void }) {
  const [fields, setFields] = useState<WebhookFields>(props.initial);
  const titleId = useId();
  const set = (change: Partial<WebhookFields>) => setFields((current) => ({ ...current, ...change }));
  // An endpoint may hold events this console does not list yet: they stay listed (and kept) in its form.
  const catalogue = [...WEBHOOK_EVENTS, ...props.initial.events.filter((name) => !WEBHOOK_EVENTS.some(([known]) => known === name))
    .map((name): [string, string] => [name, name])];
  const toggle = (name: string, on: boolean) =>
    set({ events: on ? [...fields.events.filter((event) => event !== name), name] : fields.events.filter((event) => event !== name) });
  const eventsError = errorForEvents(props.error);
  return (
    <form class="card" aria-labelledby={titleId} onSubmit={(event) => { event.preventDefault(); props.onSubmit(fields); }}>
      <h2 id={titleId}>{props.title}</h2>
      {unplacedError(props.error, FIELDS) && !eventsError && <Alert error={props.error} />}
      <Field label="Endpoint URL" name="url" type="url" required value={fields.url} onValue={(url) => set({ url })}
        error={props.error} hint="Your receiver's https address, e.g. https://hooks.example.com/callfunnel." />
      <Field label="Description (optional)" name="description" value={fields.description}
        onValue={(description) => set({ description })} error={props.error} hint="What receives these events, e.g. “CRM”." />
      <fieldset class="events" aria-describedby={eventsError ? `${titleId}-events-error` : undefined}>
        <legend>Events to send</legend>
        {eventsError && <p class="error" id={`${titleId}-events-error`}>{eventsError}</p>}
        {catalogue.map(([name, label]) => (
          <Checkbox key={name} name="events" label={`${label} (${name})`} checked={fields.events.includes(name)}
            onValue={(on) => toggle(name, on)} />
        ))}
      </fieldset>
      {props.withEnabled && (
        <Checkbox name="enabled" label="Enabled: send events to this endpoint" checked={fields.enabled}
          onValue={(enabled) => set({ enabled })} hint="A disabled endpoint receives nothing, except the test event you send it." />
      )}
      <button type="submit" disabled={props.busy}>{props.busy ? "Saving…" : props.submitLabel}</button>
    </form>
  );
}

/** The message for the events list (the API names `events`, or one of its items `events.2`), in plain words. */
function errorForEvents(error: unknown): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const direct = errorFor(error, "events");
  if (direct) {
    return /at least 1 item/.test(direct) ? "Choose at least one event." : direct;
  }
  const item = [...error.problems, ...(error.field ? [{ field: error.field, message: error.message }] : [])]
    .find((problem) => normaliseField(problem.field).startsWith("events."));
  return item ? plainWords(item.message, item.field) : undefined;
}
