"""Business operations of the fiscal plugin. Admin screens, the API, tasks
and commands call these; none of them saves a fiscal model itself.

- :mod:`.numbering`: ``take_number``, the next NF-e number of a série, under
  a row lock in the caller's transaction;
- :mod:`.authorisation`: sending NF-e to the authoriser and recording its
  answers (the ``nfeProc``, the archive), retries with backoff;
- :mod:`.authorisers`: which authoriser an emitter sends to, who may send,
  and the SVC contingency switch;
- :mod:`.timeline`: what the answers do to the order (its timeline, its
  move to invoiced: ``on_authorised``);
- :mod:`.events`: cancellation and carta de correção;
- :mod:`.inutilization`: inutilização of numbers that will never be used;
- :mod:`.issuing`: the NF-e of a paid order, built, signed and sent;
- :mod:`.bulk`: the NF-e of many paid orders, in batches, by a background
  task (the order listing's "Emitir NF-e"), with the job's progress;
- :mod:`.intake`: supplier NF-e received, their payable and stock receipt.
"""
