"""Insights: deterministic analysis of the rollups -- what drove a change, which days and hours
were unusual, what the next days will probably look like. Rollups and daily visitor sketches
only, never raw events, so a report's narrator (offline or Bedrock) can ground every claim in
these numbers.

Entry points:

- ``service.InsightsService.insights(actor, period) -> analysis.Insights`` (VIEW_DASHBOARDS);
  ``service.load_insights(store, period, today, hour)`` is the same without the check.
- ``analysis.Insights``: ``drivers`` (one ``drivers.Drivers`` per KPI: ``before``, ``after``,
  ``change``, ``by_dim`` -> contributions, ``top(n, sign)``), ``headline()`` (the largest
  relative change), ``anomalies`` (``anomalies.AnomalyReport``: ``anomalies``, each with its
  ``drivers`` against its baseline, and ``short_history``), ``forecasts`` (``forecast.Forecast``
  per metric: ``points``, ``total(days)``, ``mape``), ``names`` (item titles, author names).

Pure modules: ``cube`` (rows to daily arrays), ``metrics`` (the KPIs as data), ``drivers``,
``anomalies``, ``forecast``, ``analysis``; each documents its method and constants.
"""
