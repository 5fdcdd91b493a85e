from django.urls import path

from . import image_views, offline_views, receipt_views, seal_views, share_views, views

app_name = "quiz"
urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("my-results/", views.my_results, name="my_results"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/start/", views.attempt_start, name="start"),
    path("rounds/<int:pk>/leaderboard/", views.leaderboard, name="leaderboard"),
    path("rounds/<int:pk>/share/", share_views.share_create, name="share_create"),
    path("attempts/<int:pk>/", views.attempt_page, name="attempt"),
    path("attempts/<int:pk>/save/", views.attempt_autosave, name="autosave"),
    path("attempts/<int:pk>/result/", views.attempt_result, name="result"),
    path("manage/rounds/<int:pk>/", views.manage_round, name="manage_round"),
    path("manage/rounds/<int:pk>/<slug:action>/", views.manage_round_action, name="manage_round_action"),
]

# The seal (niêm phong): quiz.seal_views.
urlpatterns += [
    path("seal/", seal_views.seal_help, name="seal_help"),
    path("rounds/<int:pk>/seal.json", seal_views.seal_download, name="seal"),
    path("rounds/<int:pk>/errata/<int:seq>.json", seal_views.erratum_download, name="erratum_file"),
    path("manage/rounds/<int:pk>/answer-key.xlsx", seal_views.answer_key_xlsx, name="answer_key_xlsx"),
]

# Question images (quiz.images): to a contestant whose attempt drew the question, and the office.
urlpatterns += [path("images/<str:sha256>.webp", image_views.question_image, name="question_image")]

# Receipts and the results commitment (quiz.receipts): the bundle and the inclusion check.
urlpatterns += [
    path("rounds/<int:pk>/results.zip", receipt_views.results_bundle, name="results_bundle"),
    path("rounds/<int:pk>/receipt/", receipt_views.receipt_check, name="receipt_check"),
]

# The attempt page without a network (quiz.offline_views): the service worker, whose scope is its
# folder /quiz/attempts/, and the page it shows when it has nothing better.
urlpatterns += [
    path("attempts/sw.js", offline_views.service_worker, name="service_worker"),
    path("attempts/offline/", offline_views.offline_page, name="offline"),
]
