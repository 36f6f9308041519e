"""Payment webhooks: signature verification, the normalised payment event, and its queue consumer."""
