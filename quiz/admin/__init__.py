"""The organizers' tools in the admin. Actions call services; a sealed round or question is shown
read-only (the signals refuse any change anyway). Django imports this package, which registers
every ModelAdmin by importing its module:

- `questions`: fields and questions (options, image, item figures); `bank_screens`: its import
  and export screens.
- `rounds`: rounds, their blueprint, pool and extensions; `seal_screens`: «Duyệt và niêm phong»,
  the sealed key file, «Gia hạn»; `round_screens`: the pool builder and the item analysis.
- `records`: extra time for one contestant, entries and prizes (read-only).
"""

from quiz.admin import questions, records, rounds  # noqa: F401  (registers the ModelAdmins)
