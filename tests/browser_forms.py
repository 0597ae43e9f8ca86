"""Which Playwright test submits each page form that writes or downloads, on a phone.

Keys are ``"<template path under its templates dir>:<action>"`` (the ``{% url %}`` name in
``action="…"``, or ``self`` for a form posting to its own page; ``#2``… for a second form
with the same key in one template); values are ``"tests/<file>.py::<test>"``. Kept in step
with the templates by ``tests/test_form_inventory.py``: a new form without an entry fails
it, and so does an entry for a form or a test that no longer exists."""

CASE = "tests/test_case_browser.py"
CASE_ACTIONS = "tests/test_case_actions_browser.py"
FORMS_ = "tests/test_forms_browser.py"
CREDIT = "tests/test_credit_browser.py"
EXCHANGE = "tests/test_exchange_browser.py"
EXCHANGE_FORMS = "tests/test_exchange_forms_browser.py"
PAGES = "tests/test_browser.py"
VOLUNTEER = "tests/test_participation_browser.py"
ASSESSMENT = "tests/test_assessment_browser.py"
PATROL = (
    "tests/test_patrol_browser.py::"
    "test_a_worker_patrols_reports_a_problem_and_the_community_sees_the_week"
)
VISITS = "tests/test_visits_browser.py"
VISIT = (
    f"{VISITS}::test_a_grid_worker_visits_a_household_turns_a_need_into_a_case_and_sees_coverage"
)
CARE = f"{VISITS}::test_the_worker_calls_an_overdue_resident_and_the_community_changes_the_rhythm"

EMERGENCY = (
    "tests/test_emergency_browser.py"
    "::test_a_member_registers_and_a_switch_calls_them_up_to_check_in"
)
WARNINGS = "tests/test_warnings_browser.py"

WARNING_LIST = f"{WARNINGS}::test_a_community_worker_acknowledges_and_deals_with_a_warning"
WARNING_PAGE = f"{WARNINGS}::test_a_grid_worker_deals_with_their_warning_on_its_page"
QR_STORY = f"{CASE}::test_a_qr_report_runs_to_a_rated_closed_and_published_case"
WALK = f"{CASE_ACTIONS}::test_a_case_walks_through_every_action_form_on_its_page"
ONE_TAP = (
    f"{CASE_ACTIONS}::test_the_secretary_claims_and_handles_and_the_leader_urges_and_supervises"
)
TWO_FACTOR = (
    f"{FORMS_}::test_a_secretary_enrols_a_second_factor_logs_out_and_verifies_with_a_recovery_code"
)
INBOX = f"{FORMS_}::test_the_inbox_opens_one_message_marks_one_read_and_then_all"
TRIAGE = f"{FORMS_}::test_triage_merges_a_duplicate_then_accepts_handles_and_claims"
BOARD = f"{FORMS_}::test_the_board_urges_and_supervises_an_overdue_case"
STORE = f"{CREDIT}::test_the_store_lists_restocks_awards_redeems_hands_out_and_cancels"
WISH = f"{VOLUNTEER}::test_a_wish_is_taken_done_paid_and_spent"
ORDER_WALK = (
    "tests/test_participation_forms_browser.py"
    "::test_an_order_is_taken_released_taken_completed_confirmed_and_another_cancelled"
)
REIMPORT = f"{EXCHANGE_FORMS}::test_the_community_reimports_its_residents_from_its_own_export"
ROUND_TRIP = f"{EXCHANGE_FORMS}::test_a_register_exported_as_excel_imports_back_unchanged"
HOTLINE_DAYS = f"{EXCHANGE_FORMS}::test_the_hotline_export_keeps_to_the_chosen_days_and_statuses"
UNMASKED = f"{EXCHANGE_FORMS}::test_the_secretary_exports_unmasked_residents_and_each_is_logged"
BOUNDARY = (
    "tests/test_boundaries_browser.py"
    "::test_a_street_uploads_grid_outlines_sees_the_repair_and_confirms"
)
EXPORTS = (
    f"{EXCHANGE}::test_the_community_exports_its_residents_as_csv_and_the_hotline_results_as_excel"
)
HOTLINE_IMPORT = f"{EXCHANGE}::test_the_leader_imports_a_hotline_file_on_a_phone"
DIVISIONS = (
    "tests/test_divisions_browser.py"
    "::test_the_leader_imports_divisions_on_a_phone_and_gets_the_error_file"
)
SCORING = f"{ASSESSMENT}::test_the_street_scores_and_surveys_and_the_leader_publishes_the_ranking"
TEN_BEST = f"{ASSESSMENT}::test_the_leader_proposes_fills_confirms_and_publishes_a_ten_best_list"

SOS = "tests/test_sos_browser.py"
SOS_ALARM = f"{SOS}::test_a_grid_worker_acknowledges_an_alarm_arrives_and_files_a_case"
SOS_DEVICES = f"{SOS}::test_the_community_creates_a_vendor_and_binds_a_wristband_by_excel"

REPORTS = (
    "tests/test_reports_browser.py"
    "::test_the_leader_generates_last_month_s_report_prints_it_and_downloads_the_excel"
)

FORMS: dict[str, list[str]] = {
    # alerts: SOS alarms and devices.
    "alerts/sos/_item.html:alerts:sos_act": [SOS_ALARM],
    "alerts/sos/detail.html:alerts:sos_act": [SOS_ALARM],
    "alerts/sos/detail.html:alerts:sos_case": [SOS_ALARM],
    "alerts/sos/devices.html:self": [SOS_DEVICES],
    "alerts/sos/devices.html:self#2": [SOS_DEVICES],
    # analytics: a report on demand.
    "analytics/reports/new.html:self": [REPORTS],
    # accounts: the second factor's code (enrol and verify), login, logout.
    "accounts/_code_form.html:self": [TWO_FACTOR],
    "registration/login.html:login": [TWO_FACTOR, QR_STORY],
    "base.html:logout": [TWO_FACTOR],
    # analytics: assessment
    "analytics/assessment/award.html:analytics:award_act": [TEN_BEST],  # edit, confirm, publish
    "analytics/assessment/award_lists.html:self": [TEN_BEST],
    "analytics/assessment/evaluate.html:self": [SCORING],
    "analytics/assessment/rankings.html:analytics:publish_ranking": [SCORING],
    "analytics/assessment/rate.html:self": [
        f"{ASSESSMENT}::test_a_resident_tells_how_satisfied_they_are_with_their_grid_on_a_phone"
    ],
    "analytics/assessment/survey.html:self": [SCORING],
    # cases
    "cases/_action_form.html:cases:act": [WALK, ONE_TAP, QR_STORY],  # per action: below
    "cases/board.html:cases:act": [BOARD],
    "cases/detail.html:cases:reveal": [
        f"{PAGES}::test_a_callback_by_phone_reveals_the_reporter_on_the_case_page"
    ],
    "cases/inbox.html:cases:act": [QR_STORY],
    "cases/inbox.html:cases:read_all": [INBOX],
    "cases/inbox.html:cases:read": [INBOX],
    "cases/inbox.html:cases:read#2": [INBOX],
    "cases/new.html:self": [
        f"{CASE}::test_the_community_enters_a_hotline_case_at_one_of_its_grids_on_a_phone",
        f"{CASE}::test_a_resident_reports_from_home_and_finds_it_in_plain_words",
    ],
    "cases/lookup.html:self": [
        f"{CASE}::test_a_reporter_finds_their_case_by_number_and_phone_on_a_phone"
    ],
    "cases/queue.html:self": [f"{CASE}::test_a_grid_worker_resolves_on_the_spot_in_one_tap"],
    "cases/report.html:self": [QR_STORY],
    "cases/track.html:cases:rate": [QR_STORY],
    "cases/triage.html:cases:act": [TRIAGE],
    "cases/triage.html:cases:act#2": [TRIAGE],
    # credit
    "credit/_person.html:credit:settle": [STORE],
    "credit/_person.html:credit:award": [STORE],
    "credit/_person.html:credit:redeem": [STORE],
    "credit/index.html:credit:settle": [STORE],
    "credit/index.html:credit:settle#2": [WISH],
    "credit/index.html:credit:settle#3": [STORE],
    "credit/index.html:credit:redeem": [WISH, STORE],
    "credit/index.html:credit:restock": [STORE],
    "credit/index.html:credit:add_item": [STORE],
    # exchange
    "exchange/boundary.html:exchange:boundary_apply": [BOUNDARY],
    "exchange/boundary.html:exchange:boundary_cancel": [
        f"{EXCHANGE_FORMS}::test_a_street_cancels_a_boundary_upload_at_its_preview"
    ],
    "exchange/boundary.html:exchange:boundary_revert": [BOUNDARY],
    "exchange/boundary_upload.html:self": [BOUNDARY],
    "exchange/hotline_export.html:self": [EXPORTS, HOTLINE_DAYS],
    "exchange/job.html:exchange:job_start": [HOTLINE_IMPORT, DIVISIONS, REIMPORT, ROUND_TRIP],
    "exchange/job.html:exchange:job_cancel": [REIMPORT],
    "exchange/mapping.html:self": [
        "tests/test_hotline_browser.py::test_the_leader_switches_a_column_off_and_sets_the_time_zone"
    ],
    "exchange/register_export.html:self": [EXPORTS, REIMPORT, ROUND_TRIP, UNMASKED],
    "exchange/upload.html:self": [HOTLINE_IMPORT, DIVISIONS, REIMPORT, ROUND_TRIP],
    # alerts: early warning
    "alerts/warnings/_item.html:alerts:warning_act": [WARNING_LIST],
    "alerts/warnings/_item.html:alerts:warning_act#2": [WARNING_LIST],
    "alerts/warnings/detail.html:alerts:warning_act": [WARNING_PAGE],
    "alerts/warnings/detail.html:alerts:warning_act#2": [WARNING_PAGE],
    # participation
    "participation/_order_item.html:participation:act": [WISH],
    "participation/detail.html:participation:act": [ORDER_WALK, WISH],  # per action: below
    "participation/new.html:self": [WISH],
    # patrol
    "patrol/patrols/today.html:patrol:start": [PATROL],
    "patrol/patrols/today.html:patrol:end": [PATROL],
    "patrol/patrols/_finding_form.html:patrol:finding": [PATROL],
    # patrol: household visits and care
    "patrol/visits/new.html:self": [VISIT],
    "patrol/visits/detail.html:patrol:need_convert": [VISIT],
    "patrol/care/_contact_form.html:patrol:care_contact": [CARE],
    "patrol/care/_plan_form.html:patrol:care_plan": [CARE],
    # residents
    "residents/_personal_field.html:residents:reveal": [
        f"{PAGES}::test_community_secretary_reveals_a_phone_number_in_the_browser"
    ],
    # members and emergency (平急转换, 双报到)
    "members/register.html:self": [EMERGENCY],
    "emergency/index.html:self": [EMERGENCY],
    "emergency/rollcall.html:emergency:task": [EMERGENCY],
    "emergency/rollcall.html:emergency:end": [EMERGENCY],
    "emergency/mine.html:emergency:check_in": [EMERGENCY],
    "emergency/grid.html:emergency:check_in": [EMERGENCY],
}

# cases/_action_form.html is one template for every case action (cases.views.common's
# ACTION_ORDER): each action's form, wherever a page offers it, and the tests that send it.
# rate is the reporter's: they rate on the tracking page (cases/track.html).
CASE_ACTION_FORMS: dict[str, list[str]] = {
    "accept": [WALK, QR_STORY],
    "claim": [ONE_TAP, TRIAGE],
    "handle": [ONE_TAP, TRIAGE],
    "dispatch": [WALK, QR_STORY],
    "whistle": [WALK],
    "report_in": [WALK],
    "progress": [WALK],
    "resolve": [WALK, QR_STORY],
    "callback": [QR_STORY],
    "rate": [QR_STORY],
    "close": [QR_STORY],
    "publish": [QR_STORY],
    "request_extension": [WALK],
    "approve_extension": [WALK],
    "escalate": [WALK],
    "return": [WALK],
    "reopen": [WALK],
    "reject": [ONE_TAP],
    "merge": [ONE_TAP, TRIAGE],
    "urge": [ONE_TAP, BOARD],
    "supervise": [ONE_TAP, BOARD],
}

# participation/detail.html is one form per order action (participation.views.ACTION_ORDER).
ORDER_ACTION_FORMS: dict[str, list[str]] = {
    "take": [ORDER_WALK],
    "complete": [ORDER_WALK, WISH],
    "confirm": [ORDER_WALK, WISH],
    "release": [ORDER_WALK],
    "cancel": [ORDER_WALK],
}
