"""The demo's award: the prize plan's amounts, and the details of most of the published week's
winners (the demo contestant's form stays open, and one more winner has not answered), so the
award decision and the payment list show paid rows and a winner listed apart."""

import datetime

from contests.enums import PrizeTier

from . import winner_details as details
from .models import VOTE_TIER, AwardPart, PrizeAmount

PLAN = {
    AwardPart.QUIZ: {PrizeTier.FIRST: 2_000_000, PrizeTier.SECOND: 1_500_000, PrizeTier.THIRD: 1_000_000,
                     PrizeTier.CONSOLATION: 500_000},
    AwardPart.ESSAY: {PrizeTier.FIRST: 5_000_000, PrizeTier.SECOND: 3_000_000, PrizeTier.THIRD: 2_000_000,
                      PrizeTier.CONSOLATION: 1_000_000, VOTE_TIER: 2_000_000},
}  # fmt: skip
BANKS = ["Agribank chi nhánh Bắc Yên Bái", "Vietcombank, chi nhánh Yên Bái", "BIDV - Chi nhánh Yên Bái", "VietinBank"]


def seed_award(*, contest, users) -> None:
    for part, tiers in PLAN.items():
        for tier, amount in tiers.items():
            PrizeAmount.objects.get_or_create(contest=contest, part=part, tier=tier, defaults={"amount": amount})
    waiting = [w for w in details.winner_prizes(contest=contest) if w.prize.details_at is None]
    answering = [w for w in waiting if w.user != users["contestant"]][:-1]  # the last one has not answered yet
    for n, winner in enumerate(answering, start=1):
        if not details.request_open(winner):
            details.winner_details_request(winner=winner, by=users["secretariat"])
        data = {
            "citizen_id": f"015{n:09d}", "birth_date": datetime.date(1980 + n, 1 + n % 12, 1 + n), "address": "Yên Bái",
            "bank_account": f"{8800 + n}{n:06d}", "bank_name": BANKS[n % len(BANKS)],
            "account_holder": winner.user.full_name.upper(),
        }  # fmt: skip
        details.winner_details_submit(winner=winner, data=data, by=winner.user)
