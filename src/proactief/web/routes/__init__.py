"""One router per area of the web app; ``create_app`` puts them together.

- ``accounts``: the start page, logging in and out (professionals)
- ``cases``: the work queue and the case page with its forms
- ``info``: the privacy and accessibility statements (the footer's pages)
- ``reports``: the dashboard (funnel) and the CBS report
- ``intake``: files of signals taken in, the quarantine and a matching run
- ``residents``: the resident's own pages after the code from a letter
- ``scan``: the non-take-up scan: stored scans per regulation, a new scan from a file
The JSON API is its own app (``proactief.web.api``), mounted at /api/v1.
"""
