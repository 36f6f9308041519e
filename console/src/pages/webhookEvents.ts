// The events a webhook can receive, in plain words: the API's catalogue (`EventType` in shared/platform/events.py,
// the enum of `events` in /openapi.json) without `webhook.test`, which "Send a test event" sends. A unit test
// (tests/unit/test_console_event_catalogue.py) keeps the two lists equal.

export const WEBHOOK_EVENTS: Array<[string, string]> = [
  ["run.started", "A campaign run started"],
  ["run.completed", "A run finished, with its counters"],
  ["call.started", "A call was placed"],
  ["call.completed", "A call ended: its outcome and a summary"],
  ["call.analyzed", "A call's post-call analysis is ready"],
  ["call.transferred", "A call was handed to a person"],
  ["approval.requested", "The AI asks for your decision"],
  ["approval.decided", "Someone decided an approval"],
  ["contact.opted_out", "Someone asked not to be called again"],
  ["wallet.low_balance", "Your balance is running low"],
];
