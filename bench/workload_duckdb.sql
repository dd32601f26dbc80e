-- bench/workload_duckdb.sql: the DuckDB side of the caseql benchmark, for DuckDB's own CLI
-- (PyPI duckdb-cli, bench/requirements.txt). run.sh puts the cases CSV's path for CASES_CSV and
-- runs `duckdb -csv -noheader :memory: < this`. The same six questions as workload_duckdb.py
-- (kept for the Python module): all columns VARCHAR, as sqlite3's .import reads them; as-of
-- 2020-09-17; overdue: status not in ('replied','closed') and deadline < '2020-09-17'.
CREATE TABLE cases AS SELECT * FROM read_csv('CASES_CSV', header = true, all_varchar = true);
SELECT count(*) FROM cases WHERE kind = 'proposal' AND unit = '教育局' AND status NOT IN ('replied','closed') AND deadline < '2020-09-17';
SELECT unit, count(*) AS n FROM cases WHERE key_supervised = 'true' GROUP BY unit ORDER BY n DESC, unit LIMIT 5;
SELECT unit, printf('%.4f', count(*) FILTER (WHERE status = 'closed') / count(*)::DOUBLE) FROM cases GROUP BY unit ORDER BY count(*) FILTER (WHERE status = 'closed') / count(*)::DOUBLE, unit LIMIT 5;
SELECT count(*) FROM cases WHERE contains(title, '午餐');
SELECT printf('%.4f', count(*) FILTER (WHERE satisfaction IN ('satisfied','basic')) / count(*) FILTER (WHERE coalesce(satisfaction, '') <> '')::DOUBLE) FROM cases;
SELECT unit, count(*) AS n FROM cases WHERE status NOT IN ('replied','closed') AND deadline < '2020-09-17' GROUP BY unit ORDER BY n DESC, unit LIMIT 10;
