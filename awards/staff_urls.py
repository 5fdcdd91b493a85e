"""The secretariat's pages about prizes, under /reports/ in the namespace «reports»
(contest_site/urls.py)."""

from django.urls import path

from . import award_views, certificate_views, prize_views

urlpatterns = [
    path("rounds/<int:pk>/winners/", prize_views.winners, name="winners"),
    path("rounds/<int:pk>/award.xlsx", prize_views.award_list, name="award_list"),
    path("prizes/<int:pk>/verify/", prize_views.prize_verify, name="prize_verify"),
    path("prizes/<int:pk>/amend/", prize_views.prize_amend, name="prize_amend"),
    path("rounds/<int:pk>/publish/", prize_views.publish_round, name="publish_round"),
    path("essays/winners/", prize_views.essay_winners, name="essay_winners"),
    path("essays/rounds/<int:pk>/publish/", prize_views.publish_essays, name="publish_essays"),
    path("essays/prizes/<int:pk>/verify/", prize_views.essay_prize_verify, name="essay_prize_verify"),
    path("essays/prizes/<int:pk>/amend/", prize_views.essay_prize_amend, name="essay_prize_amend"),
    # «reports:download» kind=winners: the prize list (the other kinds are the figures', reports.urls).
    path("download/winners.xlsx", prize_views.winners_download, {"kind": "winners"}, name="download"),
    path("certificates/", certificate_views.certificates_overview, name="certificates"),
    path("certificates/jobs/<int:pk>/", certificate_views.certificates_job, name="certificates_job"),
    path("awards/", certificate_views.winner_details_list, name="winner_details"),
    path("awards/decision/", award_views.award_decision, name="award_decision"),
    path("awards/decision.docx", award_views.award_decision_docx, name="award_decision_docx"),
    path("awards/payments.xlsx", award_views.award_payments_xlsx, name="award_payments_xlsx"),
    path("awards/<slug:part>/<int:pk>/", certificate_views.winner_details_show, name="winner_details_show"),
    path("awards/<slug:part>/<int:pk>/change/", certificate_views.winner_details_change, name="winner_details_change"),
    path("awards/<slug:part>/<int:pk>/request/", certificate_views.winner_details_reissue, name="winner_details_reissue"),
]
