from django.urls import path

from cases import views

app_name = "cases"
urlpatterns = [
    # Residents, no login.
    path("r/<str:grid_code>/", views.report, name="report"),
    path("r/<str:grid_code>/qr.svg", views.qr_svg, name="qr"),
    path("r/<str:grid_code>/poster/", views.poster, name="poster"),
    path("t/", views.lookup, name="lookup"),
    path("t/<str:token>/", views.track, name="track"),
    path("t/<str:token>/rate/", views.rate, name="rate"),
    path("p/<str:code>/", views.community, name="community"),
    # Staff.
    path("cases/", views.case_list, name="list"),
    path("cases/new/", views.new_case, name="new"),
    path("cases/queue/", views.queue, name="queue"),
    path("cases/triage/", views.triage, name="triage"),
    path("cases/inbox/", views.inbox, name="inbox"),
    path("cases/inbox/read/", views.mark_all_read, name="read_all"),
    path("cases/inbox/<int:pk>/read/", views.mark_read, name="read"),
    path("cases/board/", views.board, name="board"),
    path("cases/<int:pk>/", views.detail, name="detail"),
    path("cases/<int:pk>/actions/<slug:action>/", views.act, name="act"),
    path("cases/<int:pk>/reveal/", views.reveal_reporter, name="reveal"),
    path("cases/photos/<int:pk>/", views.photo, name="photo"),
    path("photos/<str:token>/", views.shared_photo, name="shared_photo"),
]
