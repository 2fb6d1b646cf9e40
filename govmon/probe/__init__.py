"""Availability probing (W-V2 站点无法访问).

- :mod:`govmon.probe.prober`   one homepage fetch per site, concurrently, one attempt, the profile's timeout
- :mod:`govmon.probe.classify` error classes (dns, connect, tls, timeout, http_4xx, http_5xx, empty_body,
                               blocked, other), firewall pages, blank pages
- :mod:`govmon.probe.rounds`   a round over every inspected site, with a control probe, loaded by COPY
- :mod:`govmon.probe.importer` probe logs from other monitors (``govmon probe import``)
- :mod:`govmon.probe.availability` the W-V2 check's results, for the command line and the demo

Tables: ``raw.probe__rounds``, ``raw.probe__probes`` (partitioned by month), ``raw.probe__imports``;
views ``staging.stg_probe__probes``, ``marts.fct_site_availability_daily``, ``marts.fct_probe_failures``.
The verdict rule is ``sql/verdicts/checks/w_v2__site__unreachable.sql``.
"""
