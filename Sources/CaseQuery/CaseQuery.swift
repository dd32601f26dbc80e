// CaseQuery: lexer, parser, planner, evaluator. Pure Swift: no terminal, no files.
