import { useState } from "preact/hooks";
import { api } from "../api/client";
import { unplacedError } from "../api/errors";
import type { AvailableNumber, OnboardingStatus, PhoneNumber } from "../api/types";
import { Alert, Badge, ConfirmDialog, Empty, Field, Loading, Notice, Page, Select } from "../ui/components";
import { dateTime, money } from "../ui/format";
import { useAction, useResource } from "../ui/hooks";
import { SetupTabs } from "./SetupTabs";

type CatalogueField = { name: string; label: string; secret: boolean; required: boolean; slot: "primary_id" | "secret" | "extra" };
type CatalogueProvider = { id: string; name: string; category: string; fields: CatalogueField[]; docs_url?: string };

export function Setup() {
  const status = useResource(() => api<OnboardingStatus>("/onboarding/status"));
  const catalogue = useResource(() => api<{ providers: CatalogueProvider[] }>("/onboarding/providers"));
  const setMode = useAction(async (mode: string) => {
    await api("/onboarding/mode", { method: "PUT", body: { mode } });
    await status.reload();
  });
  const complete = useAction(async () => {
    await api("/onboarding/complete", { method: "POST", idempotent: true });
    await status.reload();
  });
  return (
    <Page title="Setup" intro="Who places your calls and speaks for you, and the phone numbers they call from.">
      <SetupTabs current="/setup" />
      <section class="card" aria-labelledby="mode-title">
        <h2 id="mode-title">Providers</h2>
        <Alert error={status.error ?? setMode.error} retry={status.error ? status.reload : undefined} />
        {!status.data && !status.error && <Loading />}
        {status.data && (
          <>
            <Select label="Mode" name="mode" value={status.data.mode} onValue={(mode) => setMode.run(mode)}
              options={[["bundled", "Bundled: CallFunnel's providers, billed per minute from your wallet"],
                ["byok", "Bring your own keys: your Anthropic, Twilio or Exotel, Cartesia and Deepgram accounts"]]}
              hint="Saved keys stay when you switch; they are simply not used in bundled mode." />
            <ul class="checklist" aria-label="Checklist">
              {status.data.checklist.map((item) => <li key={item.item} class={item.done ? "done" : ""}>{item.item}</li>)}
            </ul>
            {status.data.complete
              ? <Notice tone="success">Setup is complete{status.data.completed_at ? ` (${dateTime(status.data.completed_at)})` : ""}.</Notice>
              : <button type="button" disabled={complete.busy} onClick={() => complete.run()}>Mark setup complete</button>}
            <Alert error={complete.error} />
          </>
        )}
      </section>
      {status.data?.mode === "byok" && catalogue.data && catalogue.data.providers.map((provider) => (
        <Credential key={provider.id} provider={provider} state={status.data?.providers[provider.id]} onChanged={status.reload} />
      ))}
      <Numbers />
    </Page>
  );
}

function Credential(props: { provider: CatalogueProvider; state?: Record<string, unknown>; onChanged: () => Promise<void> }) {
  const provider = props.provider;
  const [values, setValues] = useState<Record<string, string>>({});
  const save = useAction(async () => {
    const body: { primary_id?: string; secret: string; extra: Record<string, string> } = { secret: "", extra: {} };
    for (const field of provider.fields) {
      const value = values[field.name] ?? "";
      if (field.slot === "primary_id") body.primary_id = value;
      else if (field.slot === "secret") body.secret = value;
      else if (value) body.extra[field.name] = value;
    }
    await api(`/onboarding/credentials/${encodeURIComponent(provider.id)}`, { method: "PUT", body });
    setValues({});
    await props.onChanged();
  });
  const remove = useAction(async () => {
    await api(`/onboarding/credentials/${encodeURIComponent(provider.id)}`, { method: "DELETE" });
    await props.onChanged();
  });
  const state = props.state ?? {};
  const validation = !state.saved ? "not saved" : state.validated === true ? "validated" : state.validated === false ? "not valid" : "not checked";
  const slotName = (field: CatalogueField) => (field.slot === "extra" ? field.name : field.slot);
  return (
    <form class="card" aria-labelledby={`cred-${provider.id}`} onSubmit={(event) => { event.preventDefault(); void save.run(); }}>
      <h2 id={`cred-${provider.id}`}>{provider.name} <Badge value={validation.replace(/ /g, "_")} /></h2>
      {typeof state.error === "string" && state.error && <p class="error">{state.error}</p>}
      {typeof state.validated_at === "string" && <p class="muted">Checked {dateTime(state.validated_at)}</p>}
      {unplacedError(save.error, provider.fields.map(slotName)) && <Alert error={save.error} />}
      {provider.fields.map((field) => (
        <Field key={field.name} label={field.label} name={slotName(field)} type={field.secret ? "password" : "text"}
          autoComplete="off" required={field.required} value={values[field.name] ?? ""} error={save.error}
          onValue={(value) => setValues((current) => ({ ...current, [field.name]: value }))} />
      ))}
      <div class="button-row">
        <button type="submit" disabled={save.busy}>{save.busy ? "Checking…" : "Save and check"}</button>
        {Boolean(state.saved) && <button type="button" class="danger" disabled={remove.busy} onClick={() => remove.run()}>Delete saved key</button>}
      </div>
      <Alert error={remove.error} />
    </form>
  );
}

function Numbers() {
  const owned = useResource(() => api<{ numbers: PhoneNumber[] }>("/numbers"));
  const [country, setCountry] = useState("US");
  const [areaCode, setAreaCode] = useState("");
  const [found, setFound] = useState<AvailableNumber[] | null>(null);
  const [releasing, setReleasing] = useState<PhoneNumber | null>(null);
  const search = useAction(async () => {
    const result = await api<{ numbers: AvailableNumber[] }>("/numbers/search",
      { body: { country, area_code: areaCode || null, limit: 10 } });
    setFound(result.numbers);
  });
  const provision = useAction(async (number: AvailableNumber) => {
    await api("/numbers/provision", { body: { phone_e164: number.phone_e164 }, idempotent: true });
    setFound((current) => current?.filter((candidate) => candidate.phone_e164 !== number.phone_e164) ?? null);
    await owned.reload();
  });
  const release = useAction(async (number: PhoneNumber) => {
    await api(`/numbers/${encodeURIComponent(number.id)}/release`, { method: "POST", idempotent: true });
    setReleasing(null);
    await owned.reload();
  });
  return (
    <section class="card" aria-labelledby="numbers-title">
      <h2 id="numbers-title">Phone numbers</h2>
      <Alert error={owned.error ?? release.error} retry={owned.error ? owned.reload : undefined} />
      {!owned.data && !owned.error && <Loading />}
      {owned.data && owned.data.numbers.length === 0 && <Empty>No numbers yet: calls go out from CallFunnel's shared numbers.</Empty>}
      {owned.data && owned.data.numbers.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Your numbers</caption>
            <thead><tr><th scope="col">Number</th><th scope="col">Status</th><th scope="col">Monthly</th><th scope="col">Since</th>
              <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {owned.data.numbers.map((number) => (
                <tr key={number.id}>
                  <td>{number.phone_e164}</td><td><Badge value={number.status} /></td>
                  <td>{money(number.monthly_cost_minor, number.currency)}</td><td>{dateTime(number.created_at)}</td>
                  <td class="actions">{number.status === "active" && <button type="button" class="danger"
                    aria-label={`Release ${number.phone_e164}`} onClick={() => setReleasing(number)}>Release</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form class="inline" onSubmit={(event) => { event.preventDefault(); void search.run(); }}>
        <Select label="Country" name="country" value={country} onValue={setCountry} error={search.error}
          options={[["US", "United States"], ["IN", "India"], ["GB", "United Kingdom"], ["CA", "Canada"], ["AU", "Australia"]]} />
        <Field label="Area code (optional)" name="area_code" value={areaCode} onValue={setAreaCode} error={search.error} />
        <button type="submit" class="secondary" disabled={search.busy}>Find numbers</button>
      </form>
      {unplacedError(search.error, ["country", "area_code"]) && <Alert error={search.error} />}
      <Alert error={provision.error} />
      {found && found.length === 0 && <Empty>No numbers available there; try another area code.</Empty>}
      {found && found.length > 0 && (
        <ul class="plain">
          {found.map((number) => (
            <li key={number.phone_e164}>{number.phone_e164} <span class="muted">{number.locality ?? number.region ?? ""} · {money(number.monthly_cost_minor, number.currency)} a month</span>{" "}
              <button type="button" disabled={provision.busy} aria-label={`Buy ${number.phone_e164}`} onClick={() => provision.run(number)}>Buy</button></li>
          ))}
        </ul>
      )}
      <ConfirmDialog open={releasing !== null} title="Release this number?" confirmLabel="Release number" danger
        busy={release.busy} onCancel={() => setReleasing(null)} onConfirm={() => releasing && release.run(releasing)}>
        <p>{releasing?.phone_e164} goes back to the carrier; calls can no longer come from it and its monthly rent stops.</p>
      </ConfirmDialog>
    </section>
  );
}
