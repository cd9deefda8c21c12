"""Insights: deterministic analysis of the rollups (drivers of a change, anomalies, a short
forecast). Pure modules (``cube``, ``metrics``, ``drivers``, ``anomalies``, ``forecast``) and
one service with the permission checks (``service``)."""
