import { useState } from "preact/hooks";
import { api } from "../api/client";
import { errorFor, unplacedError } from "../api/errors";
import type { RuleBook, TransferPolicy, WorkflowDetail } from "../api/types";
import { Alert, Checkbox, Field, Select } from "../ui/components";
import { money, words } from "../ui/format";
import { useAction } from "../ui/hooks";
import { ProblemList } from "./Campaigns";

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const RULE_BOOK_FIELDS = ["opener", "disclosures.ai_disclosure", "disclosures.recording_notice", "disclosures.opt_out",
  "goals", "calling_window.start", "calling_window.end", "calling_window.timezone", "calling_window.days",
  "concession_policy.auto_approve_percent", "concession_policy.hard_max_percent", "max_call_seconds",
  "voicemail_policy.action", "voicemail_policy.message", "transfer_policy.number", "transfer_policy.ring_seconds",
  "callback_policy.max_days_ahead", "callback_policy.handled_by"];
/** What a rule book saved before transfers existed reads as: nobody to transfer to. */
const NO_TRANSFER: TransferPolicy = { number: null, when_callee_asks: true, on_approval: true, ring_seconds: 20 };

function lastDigits(number: string): string {
  return number.slice(-4);
}

/** The callback policy in a sentence: whether callbacks are booked, how far ahead, who decides, who calls. */
function callbacksInWords(policy: RuleBook["callback_policy"]): string {
  if (!policy.allowed) return "not offered";
  const who = policy.requires_approval ? "each one waits for your approval" : "booked without asking you";
  return `offered, up to ${policy.max_days_ahead} ${policy.max_days_ahead === 1 ? "day" : "days"} ahead; ${who}`
    + (policy.handled_by ? `; ${policy.handled_by} calls back` : "");
}

/** The transfer policy in a sentence: to whom, when, for how long it rings. */
function transfersInWords(policy: TransferPolicy): string {
  if (!policy.number) return "off (a callee who wants a person is offered a callback)";
  const when = [policy.when_callee_asks && "when the callee asks for a person",
    policy.on_approval && "when you choose Transfer on an approval"].filter(Boolean).join(" and ");
  return `to the number ending ${lastDigits(policy.number)} (${policy.number}), ${when || "never (both triggers are off)"}; `
    + `it rings ${policy.ring_seconds} seconds, then the caller takes a message`;
}

/** The rule book as a person reads it: what the caller says, what it may offer, when it calls. */
export function RuleBookView(props: { ruleBook: RuleBook }) {
  const book = props.ruleBook;
  const concession = book.concession_policy;
  const window = book.calling_window;
  return (
    <div class="rule-book">
      <h3>Opening words</h3>
      <blockquote>{book.opener}</blockquote>
      <h3>Disclosures</h3>
      <ul>
        <li>AI disclosure: “{book.disclosures.ai_disclosure}”</li>
        <li>Recording notice: “{book.disclosures.recording_notice}”</li>
        <li>Opt-out: “{book.disclosures.opt_out}”</li>
      </ul>
      <h3>Goals</h3>
      <ol>{book.goals.map((goal) => <li key={goal}>{goal}</li>)}</ol>
      <h3>Objections and answers</h3>
      {book.objection_handlers.length === 0 ? <p class="muted">None.</p> : (
        <dl class="objections">
          {book.objection_handlers.map((handler, index) => (
            <div key={index}><dt>“{handler.trigger}”</dt><dd>{handler.rebuttal}</dd></div>
          ))}
        </dl>
      )}
      <h3>Limits</h3>
      <ul>
        <li>Offers allowed: {concession.allowed.length ? concession.allowed.map(words).join(", ") : "none"}</li>
        {concession.allowed.includes("discount_percent") && (
          <li>Discounts: up to {concession.auto_approve_percent}% on its own; up to {concession.hard_max_percent ?? 0}% with your approval</li>
        )}
        {concession.hard_max_minor !== null && (
          <li>Money offers: up to {money(concession.auto_approve_limit_minor, concession.currency)} on its own; up to {money(concession.hard_max_minor, concession.currency)} with your approval</li>
        )}
        <li>Longest call: {Math.round(book.max_call_seconds / 60 * 10) / 10} minutes</li>
        <li>Callbacks: {callbacksInWords(book.callback_policy)}</li>
        <li>Transfers to a person: {transfersInWords(book.transfer_policy ?? NO_TRANSFER)}</li>
        <li>Answering machines: {book.voicemail_policy.action === "leave_message" ? `leave “${book.voicemail_policy.message ?? ""}”` : "hang up"}</li>
      </ul>
      <h3>Calling window</h3>
      <p>{window.start}–{window.end} {window.recipient_local ? "in each person's own time" : window.timezone}, on {window.days.map(words).join(", ")}</p>
    </div>
  );
}

/** Edit the fields a person usually changes; the API validates the whole rule book and names what is wrong. */
export function RuleBookEditor(props: { workflow: WorkflowDetail; onSaved: (workflow: WorkflowDetail) => void; onCancel: () => void }) {
  const original = props.workflow.rule_book;
  const [book, setBook] = useState<RuleBook>({ ...structuredClone(original),
    transfer_policy: structuredClone(original.transfer_policy ?? NO_TRANSFER) });
  const transfer = book.transfer_policy ?? NO_TRANSFER;
  const [goals, setGoals] = useState(original.goals.join("\n"));
  const update = (change: (draft: RuleBook) => void) => setBook((current) => {
    const draft = structuredClone(current);
    change(draft);
    return draft;
  });
  const save = useAction(async () => {
    const rule_book = { ...book, goals: goals.split("\n").map((line) => line.trim()).filter(Boolean) };
    // "+1 (415) 555-0199" as people write it; the API takes the digits alone (E.164) and names what is still wrong.
    if (rule_book.transfer_policy?.number) {
      rule_book.transfer_policy = { ...rule_book.transfer_policy, number: rule_book.transfer_policy.number.replace(/[\s().-]/g, "") };
    }
    const saved = await api<WorkflowDetail>(`/api/workflows/${encodeURIComponent(props.workflow.id)}`,
      { method: "PUT", body: { rule_book } });
    props.onSaved(saved);
  });
  const objectionFields = book.objection_handlers.flatMap((_, index) => [`objection_handlers.${index}.trigger`,
    `objection_handlers.${index}.rebuttal`]);
  const error = save.error;
  return (
    <form class="rule-book-editor" noValidate onSubmit={(event) => { event.preventDefault(); void save.run(); }}>
      {unplacedError(error, [...RULE_BOOK_FIELDS, ...objectionFields]) && <Alert error={error} />}
      <ProblemList error={error} />
      <Field label="Opening words" name="opener" multiline rows={3} value={book.opener} error={error}
        hint="Must name the caller and your business, say the call is automated and recorded, and how to opt out."
        onValue={(value) => update((draft) => { draft.opener = value; })} />
      <fieldset>
        <legend>Disclosures (quoted from the opening words)</legend>
        <Field label="AI disclosure" name="disclosures.ai_disclosure" value={book.disclosures.ai_disclosure} error={error}
          onValue={(value) => update((draft) => { draft.disclosures.ai_disclosure = value; })} />
        <Field label="Recording notice" name="disclosures.recording_notice" value={book.disclosures.recording_notice}
          error={error} onValue={(value) => update((draft) => { draft.disclosures.recording_notice = value; })} />
        <Field label="Opt-out offer" name="disclosures.opt_out" value={book.disclosures.opt_out} error={error}
          onValue={(value) => update((draft) => { draft.disclosures.opt_out = value; })} />
      </fieldset>
      <Field label="Goals, most important first (one a line)" name="goals" multiline rows={3} value={goals}
        error={error} onValue={setGoals} />
      <fieldset>
        <legend>Objections and answers</legend>
        {book.objection_handlers.map((handler, index) => (
          <div class="objection" key={index}>
            <Field label={`Objection ${index + 1}: what they say`} name={`objection_handlers.${index}.trigger`}
              value={handler.trigger} error={error}
              onValue={(value) => update((draft) => { draft.objection_handlers[index].trigger = value; })} />
            <Field label={`Objection ${index + 1}: the answer`} name={`objection_handlers.${index}.rebuttal`}
              multiline rows={2} value={handler.rebuttal} error={error}
              onValue={(value) => update((draft) => { draft.objection_handlers[index].rebuttal = value; })} />
            <button type="button" class="secondary" onClick={() => update((draft) => { draft.objection_handlers.splice(index, 1); })}>
              Remove objection {index + 1}
            </button>
          </div>
        ))}
        <button type="button" class="secondary"
          onClick={() => update((draft) => { draft.objection_handlers.push({ trigger: "", rebuttal: "" }); })}>
          Add an objection
        </button>
      </fieldset>
      <fieldset>
        <legend>Limits</legend>
        <div class="row">
          <Field label="Discount without asking you (%)" name="concession_policy.auto_approve_percent" type="number"
            min={0} max={100} value={book.concession_policy.auto_approve_percent} error={error}
            onValue={(value) => update((draft) => { draft.concession_policy.auto_approve_percent = Number(value); })} />
          <Field label="Largest discount, with your approval (%)" name="concession_policy.hard_max_percent" type="number"
            min={0} max={100} value={book.concession_policy.hard_max_percent ?? ""} error={error}
            onValue={(value) => update((draft) => { draft.concession_policy.hard_max_percent = value === "" ? null : Number(value); })} />
          <Field label="Longest call (seconds)" name="max_call_seconds" type="number" min={30} max={1800}
            value={book.max_call_seconds} error={error}
            onValue={(value) => update((draft) => { draft.max_call_seconds = Number(value); })} />
        </div>
      </fieldset>
      <fieldset>
        <legend>Calling window</legend>
        <div class="row">
          <Field label="From (HH:MM)" name="calling_window.start" value={book.calling_window.start} error={error}
            onValue={(value) => update((draft) => { draft.calling_window.start = value; })} />
          <Field label="Until (HH:MM)" name="calling_window.end" value={book.calling_window.end} error={error}
            onValue={(value) => update((draft) => { draft.calling_window.end = value; })} />
          <Field label="Time zone" name="calling_window.timezone" value={book.calling_window.timezone} error={error}
            onValue={(value) => update((draft) => { draft.calling_window.timezone = value; })} />
        </div>
        <Checkbox label="In each person's own time zone" name="recipient_local" checked={book.calling_window.recipient_local}
          onValue={(value) => update((draft) => { draft.calling_window.recipient_local = value; })} />
        <fieldset class="days">
          <legend>Days</legend>
          {DAYS.map((day) => (
            <Checkbox key={day} label={day} name={`day-${day}`} checked={book.calling_window.days.includes(day)}
              onValue={(on) => update((draft) => {
                draft.calling_window.days = on ? DAYS.filter((d) => d === day || draft.calling_window.days.includes(d))
                  : draft.calling_window.days.filter((d) => d !== day);
              })} />
          ))}
          {errorFor(error, "calling_window.days") && <p class="error">{errorFor(error, "calling_window.days")}</p>}
        </fieldset>
      </fieldset>
      <fieldset>
        <legend>Callbacks</legend>
        <Checkbox label="Offer to call back when the person asks" name="callback_allowed" checked={book.callback_policy.allowed}
          onValue={(value) => update((draft) => { draft.callback_policy.allowed = value; })} />
        {book.callback_policy.allowed && (
          <>
            <Checkbox label="Ask me to approve each callback" name="callback_requires_approval"
              checked={book.callback_policy.requires_approval}
              hint="Otherwise a callback is booked at the time the person asks for, inside their legal calling hours."
              onValue={(value) => update((draft) => { draft.callback_policy.requires_approval = value; })} />
            <div class="row">
              <Field label="Book at most this many days ahead" name="callback_policy.max_days_ahead" type="number" min={0}
                max={30} value={book.callback_policy.max_days_ahead} error={error}
                onValue={(value) => update((draft) => { draft.callback_policy.max_days_ahead = Number(value); })} />
              <Field label="Who calls back (optional)" name="callback_policy.handled_by" placeholder="the front desk"
                value={book.callback_policy.handled_by ?? ""} error={error}
                onValue={(value) => update((draft) => { draft.callback_policy.handled_by = value.trim() ? value : null; })} />
            </div>
          </>
        )}
      </fieldset>
      <fieldset>
        <legend>Transfer to a person</legend>
        <Field label="Transfer number (+country code)" name="transfer_policy.number" type="tel" autoComplete="off"
          placeholder="+14155550123" value={transfer.number ?? ""} error={error}
          hint="A colleague's phone. Leave it empty to offer a callback instead of a transfer."
          onValue={(value) => update((draft) => { (draft.transfer_policy ??= { ...NO_TRANSFER }).number = value.trim() ? value : null; })} />
        <Checkbox label="Transfer when the callee asks for a person" name="transfer_when_callee_asks"
          checked={transfer.when_callee_asks}
          onValue={(value) => update((draft) => { (draft.transfer_policy ??= { ...NO_TRANSFER }).when_callee_asks = value; })} />
        <Checkbox label="Let me choose Transfer when I decide an approval" name="transfer_on_approval"
          checked={transfer.on_approval}
          onValue={(value) => update((draft) => { (draft.transfer_policy ??= { ...NO_TRANSFER }).on_approval = value; })} />
        <Field label="Ring for (seconds)" name="transfer_policy.ring_seconds" type="number" min={5} max={60}
          value={transfer.ring_seconds} error={error} hint="If nobody answers by then, the AI caller takes a message."
          onValue={(value) => update((draft) => { (draft.transfer_policy ??= { ...NO_TRANSFER }).ring_seconds = Number(value); })} />
      </fieldset>
      <fieldset>
        <legend>Answering machines</legend>
        <Select label="When a machine answers" name="voicemail_policy.action" value={book.voicemail_policy.action}
          options={[["hang_up", "Hang up"], ["leave_message", "Leave a message"]]} error={error}
          onValue={(value) => update((draft) => { draft.voicemail_policy.action = value as "hang_up" | "leave_message"; })} />
        {book.voicemail_policy.action === "leave_message" && (
          <Field label="Voicemail message" name="voicemail_policy.message" multiline rows={2}
            value={book.voicemail_policy.message ?? ""} error={error}
            onValue={(value) => update((draft) => { draft.voicemail_policy.message = value; })} />
        )}
      </fieldset>
      <div class="button-row">
        <button type="submit" disabled={save.busy}>{save.busy ? "Saving…" : "Save rule book"}</button>
        <button type="button" class="secondary" onClick={props.onCancel}>Cancel</button>
      </div>
    </form>
  );
}
