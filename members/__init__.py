"""Registrations of in-service party members and cadres at their home community (双报到):
employer unit, home grid, skills. Emergency call-ups use them; volunteer work will too."""
