// CaseOffice: the office's rules over CaseQuery's definitions: the notice's report, the problem
// checks, deadlines from events, working-day calendars, time travel (as-of). No terminal.
