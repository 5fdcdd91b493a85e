"""Writes for the quiz, one module per topic; callers import from the topic module
(`from quiz.services.attempts import attempt_start`). Every function that changes state runs in
one transaction, with the database constraints in quiz/models.py behind its checks.

- `bank`: questions and their options and images; a sealed question never changes.
- `pool`: a round's pool and blueprint before the seal; what «add N random» draws from.
- `rounds`: approving and sealing a round, a later close (what the seal freezes: quiz.round_fields).
- `deadlines`: the deadline rule and extra time for one contestant.
- `attempts`: the draw, start, autosave, submit and close of an attempt; the best attempt.
- `prizes`: the quiz part of the prize lifecycle and publishing a round's results.
- `notifications`: a round's results and its opening, told to contestants.
- `sharing`: a contestant sharing their published result (/share/<token>/) and revoking it.
"""
