import { useState } from "preact/hooks";
import { api, query } from "../api/client";
import { unplacedError } from "../api/errors";
import type { Balance, History, LedgerEntry, Topup } from "../api/types";
import { Alert, Checkbox, Empty, Field, Loading, Notice, Page, Stat } from "../ui/components";
import { dateTime, money, words } from "../ui/format";
import { useAction, useResource } from "../ui/hooks";
import { useRoute } from "../router";

function toMinor(major: string): number {
  return Math.round(Number(major) * 100);
}

function toMajor(minor: number | null | undefined): string {
  return minor === null || minor === undefined ? "" : (minor / 100).toFixed(2);
}

export function Money() {
  const route = useRoute();
  const balance = useResource(() => api<Balance>("/billing/balance"));
  return (
    <Page title="Money" intro="Your prepaid wallet: every call minute and phone number is paid from it.">
      {route.params.get("topup") === "done" && <Notice tone="info">Thank you. Your wallet is credited as soon as the payment is confirmed (usually within seconds).</Notice>}
      <Alert error={balance.error} retry={balance.error ? balance.reload : undefined} />
      {!balance.data && !balance.error && <Loading />}
      {balance.data && (
        <>
          <dl class="stats" aria-label="Wallet">
            <Stat label="Balance" value={money(balance.data.balance_minor, balance.data.currency)} />
            <Stat label="Minutes left" value={balance.data.minutes_remaining_at_bundled_rate}
              hint={`at ${money(balance.data.rate_per_minute_minor, balance.data.currency)} a minute`} />
            <Stat label="Plan" value={balance.data.plan_tier} />
          </dl>
          <TopUp balance={balance.data} />
          <Autocharge balance={balance.data} onSaved={balance.reload} />
        </>
      )}
      <WalletHistory />
    </Page>
  );
}

function TopUp(props: { balance: Balance }) {
  const [amount, setAmount] = useState(toMajor(props.balance.topup_presets_minor[1] ?? 2500));
  const topUp = useAction(async (minor: number) => {
    const intent = await api<Topup>("/billing/topup", {
      body: { amount_minor: minor, return_url: `${location.origin}/#/money?topup=done` }, idempotent: true });
    if (intent.checkout_url) location.assign(intent.checkout_url);
  });
  const currency = props.balance.currency;
  return (
    <form class="card" aria-labelledby="topup-title" onSubmit={(event) => { event.preventDefault(); void topUp.run(toMinor(amount)); }}>
      <h2 id="topup-title">Add money</h2>
      <p>You pay on the payment page; the wallet is credited when the payment is confirmed.</p>
      <div class="button-row" role="group" aria-label="Amounts">
        {props.balance.topup_presets_minor.map((preset) => (
          <button type="button" class="secondary" key={preset} aria-pressed={toMinor(amount) === preset}
            onClick={() => setAmount(toMajor(preset))}>{money(preset, currency)}</button>
        ))}
      </div>
      <Field label={`Amount (${currency})`} name="amount_minor" type="number" min={0.01} step="0.01" value={amount}
        onValue={setAmount} error={topUp.error} required />
      {unplacedError(topUp.error, ["amount_minor"]) && <Alert error={topUp.error} />}
      <button type="submit" disabled={topUp.busy}>{topUp.busy ? "Opening the payment page…" : `Pay ${money(toMinor(amount) || 0, currency)}`}</button>
    </form>
  );
}

function Autocharge(props: { balance: Balance; onSaved: () => Promise<void> }) {
  const current = props.balance.autocharge;
  const [enabled, setEnabled] = useState(Boolean(current.enabled));
  const [threshold, setThreshold] = useState(toMajor(current.threshold_minor ?? 500));
  const [amount, setAmount] = useState(toMajor(current.amount_minor ?? 2500));
  const [saved, setSaved] = useState(false);
  const save = useAction(async () => {
    setSaved(false);
    await api("/billing/autocharge", { body: enabled
      ? { enabled, threshold_minor: toMinor(threshold), amount_minor: toMinor(amount) } : { enabled }, idempotent: true });
    setSaved(true);
    await props.onSaved();
  });
  const currency = props.balance.currency;
  return (
    <form class="card" aria-labelledby="autocharge-title" onSubmit={(event) => { event.preventDefault(); void save.run(); }}>
      <h2 id="autocharge-title">Automatic top-up</h2>
      {unplacedError(save.error, ["threshold_minor", "amount_minor", "enabled"]) && <Alert error={save.error} />}
      <Checkbox label="Top up automatically when the balance runs low" name="enabled" checked={enabled} onValue={setEnabled} />
      {enabled && (
        <div class="row">
          <Field label={`When the balance falls below (${currency})`} name="threshold_minor" type="number" step="0.01"
            value={threshold} onValue={setThreshold} error={save.error} />
          <Field label={`Add (${currency})`} name="amount_minor" type="number" step="0.01" value={amount}
            onValue={setAmount} error={save.error} />
        </div>
      )}
      <button type="submit" disabled={save.busy}>{save.busy ? "Saving…" : "Save"}</button>
      <p aria-live="polite" class="muted">{saved ? "Saved." : ""}</p>
    </form>
  );
}

function WalletHistory() {
  const [entries, setEntries] = useState<LedgerEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const first = useResource(async () => {
    const page = await api<History>(`/billing/history${query({ limit: 50 })}`);
    setEntries(page.entries);
    setCursor(page.next_cursor);
    return page;
  });
  const more = useAction(async () => {
    const page = await api<History>(`/billing/history${query({ limit: 50, cursor })}`);
    setEntries((current) => [...current, ...page.entries]);
    setCursor(page.next_cursor);
  });
  return (
    <section class="card" aria-labelledby="history-title">
      <h2 id="history-title">Wallet history</h2>
      <Alert error={first.error ?? more.error} retry={first.error ? first.reload : undefined} />
      {!first.data && !first.error && <Loading />}
      {first.data && entries.length === 0 && <Empty>No movements yet.</Empty>}
      {entries.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Wallet history, newest first</caption>
            <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Amount</th><th scope="col">Balance after</th></tr></thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id}>
                  <td>{dateTime(entry.created_at)}</td>
                  <td>{entry.description || words(entry.kind)}</td>
                  <td class={entry.amount_minor < 0 ? "debit" : "credit"}>{money(entry.amount_minor, entry.currency)}</td>
                  <td>{money(entry.balance_after_minor, entry.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && <button type="button" class="secondary" disabled={more.busy} onClick={() => more.run()}>Show older</button>}
    </section>
  );
}
