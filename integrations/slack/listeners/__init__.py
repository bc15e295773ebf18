"""Bolt listeners, one module per payload family; each has ``register(app, runtime)``.

Pattern: the ``ack`` function answers Slack at once; the slow work runs as a Bolt lazy listener in the
app's thread pool after the HTTP response has gone back."""
