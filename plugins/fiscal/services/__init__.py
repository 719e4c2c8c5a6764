"""Business operations of the fiscal plugin. Admin screens, the API, tasks
and commands call these; none of them saves a fiscal model itself.

- :mod:`.numbering`: ``take_number``, the next NF-e number of a série, under
  a row lock in the caller's transaction;
- :mod:`.authorisation`: sending NF-e to the authoriser, recording its
  answers (the ``nfeProc``, the archive, the order's timeline and its move to
  invoiced), retries with backoff and the SVC contingency;
- :mod:`.events`: cancellation, carta de correção and inutilização.
"""
