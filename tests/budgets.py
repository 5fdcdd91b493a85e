"""Query budgets: how many queries each page or operation costs, whatever the size of the data.

The one home of these numbers: the tests assert them (`django_assert_num_queries(QUERIES["home"])`,
or `django_assert_max_num_queries` for a budget marked at_most), and docs/performance.md's table
«Query budgets» lists them; tests/test_docs.py checks that the table and this dict agree.
"""


class Budget(int):
    """A number of queries, with what it is the cost of and whether it is a ceiling or exact."""

    def __new__(cls, queries: int, what: str, *, at_most: bool = False):
        budget = super().__new__(cls, queries)
        budget.what = what
        budget.at_most = at_most
        return budget


QUERIES = {
    # Public pages and the contestant's
    "home": Budget(4, "the home page: the contest, past contests, open rounds, open essay phases"),
    "contest_list": Budget(3, "/contests/", at_most=True),
    "round_page_signed_out": Budget(3, "a round's page signed out: the round, the next round, the seal's fingerprint"),
    "round_page_errata_signed_out": Budget(
        5,
        "a closed round's page signed out, errata of its key: the round, the next round, the seal, the errata, the commitment",
    ),
    "erratum_file": Budget(2, "an erratum's key file: the round, the file"),
    "round_page": Budget(
        5,
        (
            "a round's page, the contestant's row cached: the round, their attempts, entries, the next round, the seal "
            "(no user row, no roles)"
        ),
    ),
    "start_first": Budget(12, "the first start of a round in a process (it reads the sealed pool), limits or not"),
    "start": Budget(9, "every later start (the draw from the pool in memory)"),
    "attempt_page_first": Budget(3, "the attempt page after the start (reads the roles once)"),
    "attempt_page": Budget(2, "the attempt page again: the attempt with its round and contest, its rows (no user row, no roles)"),
    "autosave": Budget(1, "an autosave with the page's token, one answer or a batch: the UPDATE"),
    "autosave_without_token": Budget(2, "an autosave without the token: the user and the UPDATE"),
    "submit": Budget(9, "submit: the keys from the sealed pool in memory, the rows scored in one UPDATE"),
    "result_page": Budget(2, "the result: the attempt and the contestant's entry"),
    "whole_attempt": Budget(50, "a whole attempt: the start, the page, 20 autosaves, submit, the result", at_most=True),
    "leaderboard_page": Budget(
        10,
        (
            "a published leaderboard, for a contestant not on it: the round, the user, their roles, the entries, "
            "the units' names, the prizes, the places of entries found not valid, the viewer's own entry, "
            "the count of the ranked, the count of appeals"
        ),
    ),
    "share_page": Budget(
        3, "a shared result, for anyone with the link: the share with its round, contest and owner; the entry; the prize"
    ),
    "my_results": Budget(
        18,
        (
            "/quiz/my-results/: the page, the contestant's prizes, the certificates (one or several), the award forms "
            "(quiz, essay and readers' vote prizes), the published results and appeals, the essays the person submitted "
            "or co-authored, the results shared, and the contest chooser"
        ),
    ),
    "my_results_essays": Budget(
        15,
        (
            "/quiz/my-results/ of an essay's author (submitter or co-author): as `my_results`, with their essays and "
            "the published judging rounds of those (one or several essays)"
        ),
    ),
    "appeal_new": Budget(5, "«Khiếu nại» on a published result: the user, the round, the result, an open appeal, roles"),
    "appeal_mine": Budget(4, "the appellant's own appeal: the user, the appeal, its files, the roles"),
    "receipt_check": Budget(8, "checking a receipt against a published round", at_most=True),
    "seal_content": Budget(3, "`seal_content` of a round, whatever its pool"),
    "winner_details_form": Budget(
        6, "a winner's details form: session, user, the prize, sent? twice (fresh), the newest request"
    ),
    "winner_details_sent": Budget(4, "a winner's details page once sent: session, user, the prize, the row sent"),
    # The organizers' admin
    "admin_question_list": Budget(9, "the admin's question list"),
    "admin_round_pool": Budget(14, "a round's pool screen in the admin"),
    "admin_round_analysis": Budget(8, "a round's item analysis in the admin", at_most=True),
    "admin_round_erratum": Budget(12, "a round's erratum form in the admin, whatever its pool", at_most=True),
    # Essays and judging
    "essay_screening": Budget(5, "the secretariat's essay screening list"),
    "essay_votes": Budget(
        3, "/essays/votes/ with one phase: the contest, the phases with their vote prize, the phase's ranking (one more a phase)"
    ),
    "essay_votes_manage": Budget(
        5,
        "/essays/manage/votes/ with one phase: the user, their roles, the contest, the phases with their "
        "«Giải bình chọn», the phase's ranking (one more a phase)",
    ),
    "judge_queue": Budget(5, "a judge's queue"),
    "judge_sheet": Budget(7, "a judge's score sheet"),
    "judging_round": Budget(9, "a judging round's page: results, each judge's progress and median, conflicts"),
    "round_assign": Budget(14, "assigning a judging round (and queueing the judges' notifications, by their channels)"),
    "essay_book": Budget(15, "the book of essays (DOCX)", at_most=True),
    # The secretariat's reports
    "dashboard": Budget(12, "/reports/: both tables (10, from the kept figures), the member lists, the contest chooser"),
    "stats_cached": Budget(2, "/stats/ from the cache: the contest and the chooser's list"),
    "round_winners": Budget(10, "a round's winners page, with the undecided integrity cases about its winners (the stored scan)"),
    "awards": Budget(6, "/reports/awards/: the user, roles, contest, the winners of quiz, essay and readers' vote prizes"),
    "award_decision": Budget(
        15,
        (
            "/reports/awards/decision/: the user, roles, contest, prize plan, both parts' prizes, essay authors and "
            "their units, the readers' vote prizes and their authors and units, unit names, details sent, the rounds "
            "to choose, the last downloads"
        ),
    ),
    "integrity": Budget(
        12,
        "/reports/integrity/: the stored scan, a page of its cases and the count of each kind, the decisions, the accounts",
    ),
    "summary_docx": Budget(20, "the summary report (DOCX)", at_most=True),
    "unit_page": Budget(25, "a unit officer's page: the week and who has not taken part", at_most=True),
    "unit_reminders_page": Budget(
        16,
        "a unit's reminder page: the session, user, roles and units, the contest, the open week, who has not taken "
        "part (1), the listed ones with no account (1), who was reminded today, who turned reminders off, the accounts, "
        "their channels, the unit's count today, the labels, the latest reminders",
    ),
    "unit_reminder_page": Budget(8, "one reminder: the session, user, roles and units, the reminder, its people, their messages"),
    "unit_members_page": Budget(
        8,
        "a unit's member list: the user, the units, the counts, the people, their invitations, the labels",
    ),
    "decisions": Budget(12, "the decision log", at_most=True),
    "appeal_list": Budget(
        6, "/reports/appeals/: the user, roles, the contest, the rounds to filter by (2), the appeals with people and rounds"
    ),
    "appeals_export": Budget(6, "/reports/appeals.xlsx: the user, roles, the contest, the rounds to filter by (2), the appeals"),
    "appeal_page": Budget(
        8,
        "an appeal's page for the secretariat: the appeal, its files, the entry with its attempt, the prize, the place, the unit",
    ),
    # Operations
    "metrics_scrape": Budget(1, "a /metrics scrape, whatever the outbox holds"),
}
