// CaseShell: REPL, dot-commands, renderers, export, scripts, reports.
