"""The sandbox checkout page: amount, currency, and a Pay and a Decline button."""

from __future__ import annotations

from html import escape

from shared.providers.payments.sandbox_repository import PENDING, SandboxCheckout

_SCRIPT = """
async function finish(outcome) {
  for (const button of document.querySelectorAll("button")) button.disabled = true;
  const response = await fetch(window.location.href, {method: "POST",
    headers: {"Content-Type": "application/json"}, body: JSON.stringify({outcome})});
  const answer = await response.json();
  document.getElementById("result").textContent = response.ok
    ? (outcome === "succeeded" ? "Paid. Your wallet is credited in a moment." : "Payment declined.")
    : (answer.error || "Something went wrong");
  const back = document.body.dataset.returnUrl;
  if (response.ok && back) setTimeout(() => { window.location.href = back; }, 1500);
}
"""


def _amount(amount_minor: int, currency: str) -> str:
    return f"{amount_minor // 100:,}.{amount_minor % 100:02d} {currency}"


def render(checkout: SandboxCheckout) -> str:
    amount = escape(_amount(checkout.amount_minor, checkout.currency))
    pending = checkout.status == PENDING
    actions = (
        '<button onclick="finish(\'succeeded\')">Pay</button> '
        '<button onclick="finish(\'failed\')">Decline</button>'
        if pending else f"<p>This checkout is already {escape(checkout.status)}.</p>"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sandbox checkout · CallFunnel</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto}}
button{{font-size:1.1rem;padding:.5rem 1.5rem;margin-right:.5rem}}</style></head>
<body data-return-url="{escape(checkout.return_url or '')}">
<h1>Sandbox checkout</h1>
<p>No real money moves: this page stands in for the payment processor.</p>
<p>Wallet top-up: <strong id="amount">{amount}</strong></p>
<p><small>Checkout {escape(checkout.external_id)}</small></p>
{actions}
<p id="result" role="status"></p>
<script>{_SCRIPT}</script>
</body></html>"""


def not_found() -> str:
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head>"
            "<body><h1>No such sandbox checkout</h1></body></html>")
