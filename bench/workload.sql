-- bench/workload.sql: the sqlite3 side of the caseql benchmark (issue 6).
-- Run as: sqlite3 :memory: -cmd ".import --csv CASES_CSV cases" < bench/workload.sql
-- (bench/run.sh passes the file with -cmd; the header row gives the column names, every column is TEXT).
-- As-of date 2020-09-17. Overdue: status not in ('replied','closed') and deadline < '2020-09-17'.
.mode csv
.headers off
CREATE INDEX cases_unit ON cases(unit);
CREATE INDEX cases_status ON cases(status);
-- 1. overdue proposals of 教育局
SELECT count(*) FROM cases
 WHERE kind = 'proposal' AND unit = '教育局'
   AND status NOT IN ('replied','closed') AND deadline < '2020-09-17';
-- 2. the 5 units with the most key-supervised cases
SELECT unit, count(*) AS n FROM cases WHERE key_supervised = 'true'
 GROUP BY unit ORDER BY n DESC, unit LIMIT 5;
-- 3. the 5 units with the lowest completion rate (closed / all)
SELECT unit, printf('%.4f', 1.0 * sum(status = 'closed') / count(*)) AS rate FROM cases
 GROUP BY unit ORDER BY 1.0 * sum(status = 'closed') / count(*), unit LIMIT 5;
-- 4. titles containing 午餐
SELECT count(*) FROM cases WHERE instr(title, '午餐') > 0;
-- 5. the overall satisfaction rate ((satisfied + basic) / answered)
SELECT printf('%.4f', 1.0 * sum(satisfaction IN ('satisfied','basic')) / sum(satisfaction <> '')) FROM cases;
-- 6. the 10 units with the most overdue cases
SELECT unit, count(*) AS n FROM cases
 WHERE status NOT IN ('replied','closed') AND deadline < '2020-09-17'
 GROUP BY unit ORDER BY n DESC, unit LIMIT 10;
