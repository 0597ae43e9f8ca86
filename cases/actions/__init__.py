from cases.actions.flow import ACTION_NAMES, do_case_action, public_summary
from cases.actions.intake import Report, do_create_case

__all__ = ["ACTION_NAMES", "Report", "do_case_action", "do_create_case", "public_summary"]
