"""``cohortcast demo``: the whole product on one machine, offline.

A seeded workspace (:mod:`.seed`), the server and the Pinterest sandbox as
child processes (:mod:`.processes`), a publisher site (:mod:`.site`), and
visitors from headless Chromium or the collect endpoint (:mod:`.traffic`),
orchestrated by :func:`cohortcast.demo.runner.run_demo`.
"""
