"""Pages of the case loop: public (QR report, tracking, community list) and staff."""

from cases.views.detail import act, detail, photo, reveal_reporter, shared_photo
from cases.views.inbox import inbox, mark_all_read, mark_read
from cases.views.mine import lookup
from cases.views.public import community, poster, qr_svg, rate, report, track
from cases.views.staff import board, case_list, new_case, queue, triage

__all__ = [
    "act",
    "board",
    "case_list",
    "community",
    "detail",
    "inbox",
    "lookup",
    "mark_all_read",
    "mark_read",
    "new_case",
    "photo",
    "poster",
    "qr_svg",
    "queue",
    "rate",
    "report",
    "reveal_reporter",
    "shared_photo",
    "track",
    "triage",
]
