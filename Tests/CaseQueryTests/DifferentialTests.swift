import Foundation
import Testing
@testable import CaseQuery
@testable import CaseStore

// Differential tests: random queries run by the engine and, translated to SQL, by sqlite3 over
// the same generated cases.csv. The sets of ids, the counts and the grouped numbers must agree.
//
// The translation follows caseql's documented semantics (README, "Conditions"):
// - every CSV cell is text in sqlite, and an empty cell is '';
// - < <= > >= and between never match an empty date; = and != treat empty as its own value;
// - `not` is plain boolean negation;
// - a list field (co_units, cosigners) matches when any ;-separated element does;
// - deadline is the current one: a case re-handled (a rehandle event) has one month after its
//   last rehandle event (month ends clamped), set by an UPDATE before the queries (`currentDeadline`);
// - overdue = status not in (replied, closed) and deadline != '' and deadline < the as-of date;
// - completion_rate = closed / all, face_to_face_rate = (meeting, visit, site) / all,
//   satisfaction_rate = (satisfied + basic) / answered, strict_satisfaction_rate = satisfied / answered.
// Relative dates (today - 7d) are computed by sqlite's date(), not by the engine's Day.
// Related rows: a case's unit row is found by name (a unit missing from units.csv has every
// field empty), its events by case_id. Time buckets are computed by sqlite's date functions,
// list groups by splitting on ";" with json_each, medians from the values sqlite lists.
// `having` is SQL's HAVING over the same aggregates; `share >= p%` is the group's rows over the
// rows the where clause kept, against p/100; a key `is empty` is the key = ''.

/// A condition in both languages.
struct DiffPredicate {
    var caseql: String
    var sql: String
}

/// An expression tree, printed with the fewest parentheses caseql's precedence allows (and
/// sometimes more), and fully parenthesised in SQL.
indirect enum DiffExpr {
    case leaf(DiffPredicate)
    case not(DiffExpr)
    case and(DiffExpr, DiffExpr)
    case or(DiffExpr, DiffExpr)
    case paren(DiffExpr)

    /// not 3, and 2, or 1, a leaf or parenthesis 4.
    var precedence: Int {
        switch self {
        case .leaf, .paren: return 4
        case .not: return 3
        case .and: return 2
        case .or: return 1
        }
    }

    var caseql: String {
        func sub(_ e: DiffExpr, _ min: Int) -> String { e.precedence >= min ? e.caseql : "(\(e.caseql))" }
        switch self {
        case .leaf(let p): return p.caseql
        case .paren(let e): return "(\(e.caseql))"
        case .not(let e): return "not " + sub(e, 3)
        case .and(let a, let b): return sub(a, 2) + " and " + sub(b, 3)
        case .or(let a, let b): return sub(a, 1) + " or " + sub(b, 2)
        }
    }

    var sql: String {
        switch self {
        case .leaf(let p): return "(\(p.sql))"
        case .paren(let e): return e.sql
        case .not(let e): return "(NOT \(e.sql))"
        case .and(let a, let b): return "(\(a.sql) AND \(b.sql))"
        case .or(let a, let b): return "(\(a.sql) OR \(b.sql))"
        }
    }
}

struct QueryGenerator {
    var rng: SplitMix64
    let asOf = "2020-09-17"
    let units: [String]
    let coUnits: [String]
    let cosigners: [String]
    let titles: [String]

    mutating func int(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
    mutating func chance(_ p: Double) -> Bool { Double(rng.next() % 1_000_000) / 1_000_000 < p }
    mutating func pick<T>(_ a: [T]) -> T { a[int(a.count)] }

    static func q(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
    static func sq(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }

    var overdueSQL: String {
        "status NOT IN ('replied','closed') AND deadline != '' AND deadline < '\(asOf)'"
    }

    // MARK: enums

    static let enums: [(field: String, values: [(token: String, label: String)])] = [
        ("status", Status.allCases.map { ($0.token, $0.label) }),
        ("kind", Kind.allCases.map { ($0.token, $0.label) }),
        ("level", Level.allCases.map { ($0.token, $0.label) }),
        ("category", Category.allCases.map { ($0.token, $0.label) }),
        ("contact", Contact.allCases.map { ($0.token, $0.label) }),
        ("satisfaction", Satisfaction.allCases.map { ($0.token, $0.label) }),
    ]

    mutating func enumPredicate() -> DiffPredicate {
        let (field, values) = pick(QueryGenerator.enums)
        // A value, sometimes its Chinese label; status may be overdue.
        func value(_ g: inout QueryGenerator) -> (caseql: String, sql: String) {
            if field == "status" && g.chance(0.2) {
                return (g.chance(0.5) ? "overdue" : "逾期", "(\(g.overdueSQL))")
            }
            let v = g.pick(values)
            return (g.chance(0.3) ? v.label : v.token, "\(field) = '\(v.token)'")
        }
        switch int(5) {
        case 0, 1:
            let v = value(&self)
            return DiffPredicate(caseql: "\(field) = \(v.caseql)", sql: v.sql)
        case 2:
            let v = value(&self)
            return DiffPredicate(caseql: "\(field) != \(v.caseql)", sql: "NOT (\(v.sql))")
        case 3:
            let n = 1 + int(3)
            let vs = (0..<n).map { _ in value(&self) }
            let negated = chance(0.4)
            let sql = vs.map { "(\($0.sql))" }.joined(separator: " OR ")
            return DiffPredicate(caseql: "\(field) \(negated ? "not in" : "in") (\(vs.map(\.caseql).joined(separator: ", ")))",
                                 sql: negated ? "NOT (\(sql))" : sql)
        default:
            let negated = chance(0.5)
            return DiffPredicate(caseql: "\(field) is \(negated ? "not " : "")empty", sql: "\(field) \(negated ? "!=" : "=") ''")
        }
    }

    // MARK: texts and lists

    mutating func unitPredicate() -> DiffPredicate {
        switch int(4) {
        case 0:
            let u = pick(units)
            return DiffPredicate(caseql: "unit = \(QueryGenerator.q(u))", sql: "unit = \(QueryGenerator.sq(u))")
        case 1:
            let u = pick(units)
            return DiffPredicate(caseql: "主办单位 != \(QueryGenerator.q(u))", sql: "unit != \(QueryGenerator.sq(u))")
        case 2:
            let us = (0..<(1 + int(3))).map { _ in pick(units) }
            let negated = chance(0.4)
            let sql = "unit IN (\(us.map(QueryGenerator.sq).joined(separator: ", ")))"
            return DiffPredicate(caseql: "unit \(negated ? "not in" : "in") (\(us.map(QueryGenerator.q).joined(separator: ", ")))",
                                 sql: negated ? "NOT (\(sql))" : sql)
        default:
            let u = pick(units)
            let needle = substring(u)
            let negated = chance(0.3)
            return DiffPredicate(caseql: "unit \(negated ? "not contains" : "contains") \(QueryGenerator.q(needle))",
                                 sql: "\(negated ? "NOT " : "")instr(unit, \(QueryGenerator.sq(needle))) > 0")
        }
    }

    /// A substring of 1 to 4 characters.
    mutating func substring(_ s: String) -> String {
        let chars = Array(s)
        let len = min(chars.count, 1 + int(4))
        let start = int(chars.count - len + 1)
        return String(chars[start..<(start + len)])
    }

    mutating func titlePredicate() -> DiffPredicate {
        let needle = substring(pick(titles))
        let negated = chance(0.3)
        let word = chance(0.3) ? (negated ? "不包含" : "包含") : (negated ? "not contains" : "contains")
        return DiffPredicate(caseql: "\(chance(0.3) ? "标题" : "title") \(word) \(QueryGenerator.q(needle))",
                             sql: "\(negated ? "NOT " : "")instr(title, \(QueryGenerator.sq(needle))) > 0")
    }

    mutating func listPredicate() -> DiffPredicate {
        let (field, pool) = chance(0.5) ? ("co_units", coUnits) : ("cosigners", cosigners)
        let elements = "(';' || \(field) || ';')"
        switch int(4) {
        case 0:
            let v = pick(pool)
            return DiffPredicate(caseql: "\(field) = \(QueryGenerator.q(v))", sql: "instr(\(elements), \(QueryGenerator.sq(";" + v + ";"))) > 0")
        case 1:
            let vs = (0..<(1 + int(2))).map { _ in pick(pool) }
            return DiffPredicate(caseql: "\(field) in (\(vs.map(QueryGenerator.q).joined(separator: ", ")))",
                                 sql: vs.map { "instr(\(elements), \(QueryGenerator.sq(";" + $0 + ";"))) > 0" }.joined(separator: " OR "))
        case 2:
            let needle = substring(pick(pool))
            return DiffPredicate(caseql: "\(field) contains \(QueryGenerator.q(needle))", sql: "instr(\(field), \(QueryGenerator.sq(needle))) > 0")
        default:
            let negated = chance(0.5)
            return DiffPredicate(caseql: "\(field) is \(negated ? "not " : "")empty", sql: "\(field) \(negated ? "!=" : "=") ''")
        }
    }

    // MARK: yes/no

    mutating func boolPredicate() -> DiffPredicate {
        switch int(7) {
        case 0: return DiffPredicate(caseql: "key_supervised", sql: "key_supervised = 'true'")
        case 1: return DiffPredicate(caseql: "recess = \(chance(0.5) ? "false" : "否")", sql: "recess = 'false'")
        case 2: return DiffPredicate(caseql: "闭会期间", sql: "recess = 'true'")
        case 3: return DiffPredicate(caseql: chance(0.5) ? "overdue" : "逾期", sql: overdueSQL)
        case 4: return DiffPredicate(caseql: "late", sql: "replied_on != '' AND deadline != '' AND replied_on > deadline")
        case 5: return DiffPredicate(caseql: "face_to_face", sql: "contact IN ('meeting','visit','site')")
        default: return DiffPredicate(caseql: "key_supervised = true", sql: "key_supervised = 'true'")
        }
    }

    // MARK: dates and numbers

    static let dateFields = ["assigned_on", "signed_on", "deadline", "replied_on", "closed_on"]

    /// A date in both languages: a literal in 2020, or today shifted (sqlite's date() computes it).
    mutating func date() -> (caseql: String, sql: String) {
        if chance(0.35) {
            let n = int(120)
            let unit = pick([("d", "days", 1), ("w", "days", 7), ("m", "months", 1)])
            let amount = unit.0 == "m" ? n % 5 : (unit.0 == "w" ? n % 15 : n)
            let sign = chance(0.7) ? "-" : "+"
            let sqlAmount = amount * unit.2
            let today = chance(0.2) ? "今天" : "today"
            return ("\(today) \(sign) \(amount)\(unit.0)", "date('\(asOf)', '\(sign)\(sqlAmount) \(unit.1)')")
        }
        let month = 2 + int(9), day = 1 + int(28)
        let s = String(format: "2020-%02d-%02d", month, day)
        return (s, "'\(s)'")
    }

    mutating func datePredicate() -> DiffPredicate {
        let f = pick(QueryGenerator.dateFields)
        switch int(7) {
        case 0, 1, 2:
            let op = pick(["<", "<=", ">", ">="])
            let d = date()
            if chance(0.2) {
                // The literal on the left: the engine flips it.
                let flipped = ["<": ">", "<=": ">=", ">": "<", ">=": "<="][op]!
                return DiffPredicate(caseql: "\(d.caseql) \(flipped) \(f)", sql: "\(f) != '' AND \(f) \(op) \(d.sql)")
            }
            return DiffPredicate(caseql: "\(f) \(op) \(d.caseql)", sql: "\(f) != '' AND \(f) \(op) \(d.sql)")
        case 3:
            var a = date(), b = date()
            if chance(0.8) && a.caseql.hasPrefix("2020") && b.caseql.hasPrefix("2020") && a.caseql > b.caseql { swap(&a, &b) }
            let negated = chance(0.3)
            let sql = "\(f) != '' AND \(f) BETWEEN \(a.sql) AND \(b.sql)"
            return DiffPredicate(caseql: "\(f) \(negated ? "not between" : "between") \(a.caseql) and \(b.caseql)",
                                 sql: negated ? "NOT (\(sql))" : sql)
        case 4:
            let d = date()
            let ne = chance(0.5)
            return DiffPredicate(caseql: "\(f) \(ne ? "!=" : "=") \(d.caseql)", sql: "\(f) \(ne ? "!=" : "=") \(d.sql)")
        case 5:
            let negated = chance(0.5)
            return DiffPredicate(caseql: "\(f) is \(negated ? "not " : "")empty", sql: "\(f) \(negated ? "!=" : "=") ''")
        default:
            // Field against field, sometimes shifted by days.
            let g = pick(QueryGenerator.dateFields)
            let op = pick(["<", "<=", ">", ">="])
            let shift = chance(0.5) ? int(40) : 0
            let right = shift == 0 ? g : "\(g) + \(shift)d"
            let sqlRight = shift == 0 ? g : "date(\(g), '+\(shift) days')"
            return DiffPredicate(caseql: "\(f) \(op) \(right)", sql: "\(f) != '' AND \(g) != '' AND \(f) \(op) \(sqlRight)")
        }
    }

    mutating func numberPredicate() -> DiffPredicate {
        let (f, sql): (String, String) = pick([
            ("days_open", "CAST(julianday(CASE WHEN closed_on != '' THEN closed_on ELSE '\(asOf)' END) - julianday(assigned_on) AS INTEGER)"),
            ("days_to_sign", "CASE WHEN signed_on != '' THEN CAST(julianday(signed_on) - julianday(assigned_on) AS INTEGER) END"),
            ("days_to_reply", "CASE WHEN replied_on != '' THEN CAST(julianday(replied_on) - julianday(assigned_on) AS INTEGER) END"),
        ])
        let op = pick(["<", "<=", ">", ">=", "=", "!="])
        let n = f == "days_open" ? int(220) : int(90)
        // As for dates: < <= > >= never match an empty value; != treats empty as its own value.
        if op == "!=" { return DiffPredicate(caseql: "\(f) != \(n)", sql: "(\(sql)) IS NULL OR (\(sql)) != \(n)") }
        return DiffPredicate(caseql: "\(f) \(op) \(n)", sql: "(\(sql)) IS NOT NULL AND (\(sql)) \(op) \(n)")
    }

    // MARK: history

    /// The status an event puts a case in (README, History): reassign assigns again.
    static let statusAfter: [(status: String, actions: [String])] = [
        ("assigned", ["assign", "reassign"]), ("signed", ["sign"]), ("return_requested", ["return_request"]),
        ("in_progress", []), ("replied", ["reply"]), ("closed", ["close"]), ("rehandling", ["rehandle"]),
    ]

    mutating func historyPredicate() -> DiffPredicate {
        let negated = chance(0.3)
        let was = negated ? "was not" : "was"
        if chance(0.5) {
            let picks = (0..<(1 + int(2))).map { _ in pick(QueryGenerator.statusAfter) }
            let actions = picks.flatMap(\.actions).map { "'\($0)'" }.joined(separator: ",")
            let sql = "status IN (\(picks.map { "'\($0.status)'" }.joined(separator: ","))) OR id IN (SELECT case_id FROM events WHERE action IN (\(actions)))"
            let caseql = picks.count == 1 ? "status \(was) \(picks[0].status)" : "status \(was) in (\(picks.map(\.status).joined(separator: ", ")))"
            return DiffPredicate(caseql: caseql, sql: negated ? "NOT (\(sql))" : sql)
        }
        let u = pick(units)
        let sql = "unit = \(QueryGenerator.sq(u)) OR id IN (SELECT case_id FROM events WHERE unit = \(QueryGenerator.sq(u)))"
        return DiffPredicate(caseql: "unit \(was) \(QueryGenerator.q(u))", sql: negated ? "NOT (\(sql))" : sql)
    }

    // MARK: related rows

    /// A field of the case's unit row, '' when the unit has no row.
    static func unitField(_ f: String) -> String {
        "coalesce((SELECT u.\(f) FROM units u WHERE u.name = cases.unit), '')"
    }

    mutating func relatedPredicate() -> DiffPredicate {
        switch int(4) {
        case 0:
            let t = pick(UnitType.allCases.map(\.token))
            let ne = chance(0.3)
            return DiffPredicate(caseql: "unit.type \(ne ? "!=" : "=") \(t)", sql: "\(QueryGenerator.unitField("type")) \(ne ? "!=" : "=") '\(t)'")
        case 1:
            let negated = chance(0.5)
            return DiffPredicate(caseql: "unit.reception_day_on is \(negated ? "not " : "")empty",
                                 sql: "\(QueryGenerator.unitField("reception_day_on")) \(negated ? "!=" : "=") ''")
        case 2:
            let d = date(), op = pick(["<", ">="])
            let f = QueryGenerator.unitField("reception_day_on")
            return DiffPredicate(caseql: "unit.reception_day_on \(op) \(d.caseql)", sql: "\(f) != '' AND \(f) \(op) \(d.sql)")
        default:
            // The case's events: an action, sometimes some days after the case's assignment.
            let a = pick(["return_request", "reply", "reassign", "rehandle", "feedback"])
            let days = int(60)
            if chance(0.5) {
                // In parentheses: the condition of exists runs to the end of the expression.
                return DiffPredicate(caseql: "(exists event where action = \(a) and date > assigned_on + \(days)d)",
                                     sql: "EXISTS (SELECT 1 FROM events e WHERE e.case_id = cases.id AND e.action = '\(a)' AND e.date > date(cases.assigned_on, '+\(days) days'))")
            }
            let n = 1 + int(2)
            if chance(0.3) {
                // All of a case's events, without a where.
                let m = 3 + int(5)
                return DiffPredicate(caseql: "count(event) >= \(m)",
                                     sql: "(SELECT count(*) FROM events e WHERE e.case_id = cases.id) >= \(m)")
            }
            return DiffPredicate(caseql: "count(event where action = \(a)) >= \(n)",
                                 sql: "(SELECT count(*) FROM events e WHERE e.case_id = cases.id AND e.action = '\(a)') >= \(n)")
        }
    }

    mutating func predicate() -> DiffPredicate {
        if chance(0.06) { return historyPredicate() }
        if chance(0.08) { return relatedPredicate() }
        switch int(11) {
        case 0, 1: return enumPredicate()
        case 2: return unitPredicate()
        case 3: return titlePredicate()
        case 4: return listPredicate()
        case 5: return boolPredicate()
        case 6, 7, 8: return datePredicate()
        case 9: return numberPredicate()
        default: return chance(0.5) ? enumPredicate() : datePredicate()
        }
    }

    mutating func expr(depth: Int = 0) -> DiffExpr {
        if depth >= 3 || chance(depth == 0 ? 0.25 : 0.45) { return .leaf(predicate()) }
        switch int(7) {
        case 0, 1, 2: return .and(expr(depth: depth + 1), expr(depth: depth + 1))
        case 3, 4: return .or(expr(depth: depth + 1), expr(depth: depth + 1))
        case 5: return .not(expr(depth: depth + 1))
        default: return .paren(expr(depth: depth + 1))
        }
    }
}

/// One random query and what to compare.
struct DiffQuery {
    enum Shape { case ids, count, groups(key: String), pivot, medians }
    var caseql: String
    var sql: String
    var shape: Shape
}

enum Sqlite {
    static func path() -> String? {
        for p in ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3", "/bin/sqlite3"] where FileManager.default.isExecutableFile(atPath: p) {
            return p
        }
        return nil
    }

    /// DOMAIN.md's re-handling rule in SQL, apart from the engine's: the deadline of a case with a
    /// rehandle event is one month after the last one (Jan 31 + 1 month = the last day of February).
    /// The generator makes no extend events.
    static let currentDeadline = """
        UPDATE cases SET deadline = (SELECT min(date(r, 'start of month', '+1 month', '+' || (CAST(strftime('%d', r) AS INTEGER) - 1) || ' days'), date(r, 'start of month', '+2 months', '-1 day')) FROM (SELECT max(date) AS r FROM events WHERE events.case_id = cases.id AND events.action = 'rehandle')) WHERE EXISTS (SELECT 1 FROM events WHERE events.case_id = cases.id AND events.action = 'rehandle');
        """

    /// Runs the statements over cases.csv and events.csv imported as tables `cases` and `events`
    /// (deadline made the current one first); stdout.
    static func run(sqlite: String, csv: String, events: String, units: String? = nil, script: String, dir: String) throws -> String {
        let scriptPath = dir + "/queries.sql", outPath = dir + "/out.txt", errPath = dir + "/err.txt"
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: sqlite)
        p.arguments = [":memory:", "-cmd", ".mode csv", "-cmd", ".import \(csv) cases", "-cmd", ".import \(events) events"]
            + (units.map { ["-cmd", ".import \($0) units", "-cmd", "CREATE INDEX units_name ON units(name)"] } ?? [])
            + ["-cmd", "CREATE INDEX events_case ON events(case_id)", "-cmd", "CREATE INDEX cases_id ON cases(id)",
               "-cmd", currentDeadline, "-cmd", ".mode list",
                       "-cmd", ".separator |", "-cmd", ".nullvalue NULL", ".read \(scriptPath)"]
        p.standardOutput = FileHandle(forWritingAtPath: outPath)
        p.standardError = FileHandle(forWritingAtPath: errPath)
        try p.run()
        p.waitUntilExit()
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        guard p.terminationStatus == 0, err.isEmpty else {
            throw DiffError("sqlite3 failed (\(p.terminationStatus)): \(err)")
        }
        return try String(contentsOfFile: outPath, encoding: .utf8)
    }
}

struct DiffError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

@Suite struct DifferentialTests {
    /// Fixed, so that every run asks the same queries; CASEQL_DIFF_SEED=N explores others.
    static let seed: UInt64 = ProcessInfo.processInfo.environment["CASEQL_DIFF_SEED"].flatMap { UInt64($0) } ?? 20_200_917
    static let datasetSeed: UInt64 = 11
    static let cases = 2000
    static let queries = 360
    /// Above 65,536 rows other paths switch on (rows left tested one by one, direct group tables).
    static let largeCases = 70_000
    static let largeQueries = 120

    static let groupKeys = ["unit", "status", "kind", "level", "category", "contact", "satisfaction", "key_supervised", "recess"]

    @Test(arguments: [(DifferentialTests.cases, DifferentialTests.queries), (DifferentialTests.largeCases, DifferentialTests.largeQueries)])
    func engineAgreesWithSqlite(cases: Int, queryCount: Int) throws {
        guard let sqlite = Sqlite.path() else {
            Issue.record("sqlite3 is not installed: run scripts/setup.sh --test (the differential tests need it)")
            return
        }
        let dir = NSTemporaryDirectory() + "caseql-diff-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try DatasetGenerator(cases: cases, seed: DifferentialTests.datasetSeed).write(to: dir)
        let store = try DatasetLoader.load(dir).0
        let engine = Engine(store: store)
        #expect(engine.asOf.description == "2020-09-17")

        // Value pools from the data: units, list elements, titles.
        guard case .rows(let all) = try engine.run(try Parser.parse("select unit, co_units, cosigners, title from cases")) else {
            Issue.record("no rows"); return
        }
        var units = Set<String>(), coUnits = Set<String>(), cosigners = Set<String>(), titles: [String] = []
        for r in all.rows {
            units.insert(r[0].text)
            if case .list(let l) = r[1] { coUnits.formUnion(l) }
            if case .list(let l) = r[2] { cosigners.formUnion(l) }
            titles.append(r[3].text)
        }
        var gen = QueryGenerator(rng: SplitMix64(seed: DifferentialTests.seed), units: units.sorted(),
                                 coUnits: coUnits.sorted(), cosigners: cosigners.sorted(), titles: titles)

        var queries: [DiffQuery] = []
        for i in 0..<queryCount {
            let e = gen.expr()
            switch i % 6 {
            case 0, 1, 2:
                let source = gen.pick(["cases", "cases", "proposals", "suggestions", "提案", "建议"])
                let kindSQL = ["proposals": " AND kind = 'proposal'", "提案": " AND kind = 'proposal'",
                               "suggestions": " AND kind = 'suggestion'", "建议": " AND kind = 'suggestion'"][source] ?? ""
                queries.append(DiffQuery(caseql: "select id from \(source) where \(e.caseql)",
                                         sql: "SELECT id FROM cases WHERE \(e.sql)\(kindSQL);", shape: .ids))
            case 3:
                queries.append(DiffQuery(caseql: "count cases where \(e.caseql)",
                                         sql: "SELECT count(*) FROM cases WHERE \(e.sql);", shape: .count))
            case 4 where i % 24 == 10:
                // Time buckets, with the new aggregates.
                let (fn, sqlKey) = gen.pick([
                    ("month", "substr(assigned_on, 1, 7)"),
                    ("quarter", "substr(assigned_on, 1, 4) || '-Q' || ((CAST(substr(assigned_on, 6, 2) AS INTEGER) + 2) / 3)"),
                    ("week", "strftime('%Y', date(assigned_on, '-3 days', 'weekday 4')) || '-W' || printf('%02d', (CAST(strftime('%j', date(assigned_on, '-3 days', 'weekday 4')) AS INTEGER) - 1) / 7 + 1)"),
                    ("start_of_week", "date(assigned_on, '-' || ((CAST(strftime('%w', assigned_on) AS INTEGER) + 6) % 7) || ' days')"),
                    ("start_of_month", "substr(assigned_on, 1, 7) || '-01'"),
                    ("year", "substr(assigned_on, 1, 4)"),
                ])
                let late = "replied_on != '' AND deadline != '' AND replied_on > deadline"
                queries.append(DiffQuery(
                    caseql: "select \(fn)(assigned_on), count, count(distinct unit), rate(late), rate(not late, replied_on is not empty), share from cases where \(e.caseql) group by \(fn)(assigned_on)",
                    sql: """
                        SELECT \(sqlKey), count(*), count(DISTINCT nullif(unit, '')), avg(\(late)),
                          sum(replied_on != '' AND NOT (\(late))) * 1.0 / nullif(sum(replied_on != ''), 0),
                          count(*) * 1.0 / (SELECT count(*) FROM cases WHERE \(e.sql))
                        FROM cases WHERE \(e.sql) GROUP BY 1;
                        """,
                    shape: .groups(key: fn)))
            case 4 where i % 24 == 22:
                // Each element of a list, once per case; the unit row's type.
                let (list, sqlList) = gen.chance(0.5) ? ("co_units", "co_units") : ("cosigners", "cosigners")
                queries.append(DiffQuery(
                    caseql: "select \(list), count, count(late), count(unit.type = district) from cases where \(e.caseql) group by each \(list)",
                    sql: """
                        SELECT el, count(*), sum(lt), sum(dt) FROM (SELECT DISTINCT cases.id, j.value AS el,
                          (replied_on != '' AND deadline != '' AND replied_on > deadline) AS lt, \(QueryGenerator.unitField("type")) = 'district' AS dt
                          FROM (SELECT * FROM cases WHERE \(e.sql)) AS cases, json_each('["' || replace(replace(\(sqlList), '"', '\\"'), ';', '","') || '"]') j
                          WHERE \(sqlList) != '' AND j.value != '') GROUP BY el;
                        """,
                    shape: .groups(key: list)))
            case 4 where i % 24 == 16:
                // pivot: statuses × kinds, each cell a count (totals checked as the sums).
                queries.append(DiffQuery(
                    caseql: "pivot count by status, kind from cases where \(e.caseql)",
                    sql: "SELECT status, kind, count(*) FROM cases WHERE \(e.sql) GROUP BY status, kind;",
                    shape: .pivot))
            case 4 where i % 24 == 4:
                // Medians: sqlite lists each group's values, sorted; the middle is taken here.
                let key = gen.pick(["kind", "status", "category"])
                let reply = "CAST(julianday(replied_on) - julianday(assigned_on) AS INTEGER)"
                queries.append(DiffQuery(
                    caseql: "select \(key), median(days_to_reply) from cases where \(e.caseql) group by \(key)",
                    sql: "SELECT \(key), group_concat(d, ',') FROM (SELECT \(key), \(reply) AS d FROM cases WHERE \(e.sql) ORDER BY d) GROUP BY \(key);",
                    shape: .medians))
            case 5 where i % 24 == 23:
                // Grouped by the unit row's type (a join), with having on that related key.
                let n = gen.int(40), t = gen.pick(UnitType.allCases.map(\.token))
                let late = "replied_on != '' AND deadline != '' AND replied_on > deadline"
                queries.append(DiffQuery(
                    caseql: "select unit.type, count, rate(late), count(distinct unit) from cases where \(e.caseql) group by unit.type having unit.type != \(t) or count > \(n)",
                    sql: """
                        SELECT \(QueryGenerator.unitField("type")) AS t, count(*), avg(\(late)), count(DISTINCT nullif(unit, ''))
                        FROM cases WHERE \(e.sql) GROUP BY t HAVING t != '\(t)' OR count(*) > \(n);
                        """,
                    shape: .groups(key: "unit.type")))
            case 5 where i % 24 == 11:
                // (Was `case 4 where i % 12 == 4`, which the cases above always took first.)
                let key = gen.pick(DifferentialTests.groupKeys)
                let days = "CAST(julianday(CASE WHEN closed_on != '' THEN closed_on ELSE '2020-09-17' END) - julianday(assigned_on) AS INTEGER)"
                let toSign = "CASE WHEN signed_on != '' THEN CAST(julianday(signed_on) - julianday(assigned_on) AS INTEGER) END"
                queries.append(DiffQuery(
                    caseql: "select \(key), count(signed_on), count(overdue), min(deadline), max(replied_on), avg(days_open), sum(days_to_sign), max(days_to_sign) from cases where \(e.caseql) group by \(key)",
                    sql: """
                        SELECT \(key), sum(signed_on != ''), sum(\(gen.overdueSQL)), min(nullif(deadline, '')), max(nullif(replied_on, '')),
                          avg(\(days)), coalesce(sum(\(toSign)), 0), max(\(toSign))
                        FROM cases WHERE \(e.sql) GROUP BY \(key);
                        """,
                    shape: .groups(key: key)))
            default:
                let key = gen.pick(DifferentialTests.groupKeys)
                let filter = gen.chance(0.2) ? nil : e
                // Sometimes a having on the count, a rate, a share as a percentage or the key
                // (bound over the groups as where is over the rows).
                let having: (caseql: String, sql: String)? = gen.chance(0.4) ? nil : {
                    let n = gen.int(20), r = Double(gen.int(10)) / 10
                    switch gen.int(3) {
                    case 0: return (" having count > \(n) or completion_rate >= \(r)", " HAVING count(*) > \(n) OR avg(status = 'closed') >= \(r)")
                    case 1: return (" having rate(late) < \(r) and not count = \(n)",
                                    " HAVING avg(replied_on != '' AND deadline != '' AND replied_on > deadline) < \(r) AND NOT count(*) = \(n)")
                    default:
                        // share >= p% is the group's rows over the rows kept, against p/100.
                        let p = gen.int(30)
                        return (" having share >= \(p)% or \(key) is empty",
                                " HAVING count(*) * 1.0 / (SELECT count(*) FROM cases\(filter.map { " WHERE \($0.sql)" } ?? "")) >= \(Double(p) / 100) OR \(key) = ''")
                    }
                }()
                queries.append(DiffQuery(
                    caseql: "select \(key), count, completion_rate, face_to_face_rate, satisfaction_rate, strict_satisfaction_rate from cases"
                        + (filter.map { " where \($0.caseql)" } ?? "") + " group by \(key)" + (having?.caseql ?? ""),
                    sql: """
                        SELECT \(key), count(*), avg(status = 'closed'), avg(contact IN ('meeting','visit','site')),
                          sum(satisfaction IN ('satisfied','basic')) * 1.0 / nullif(sum(satisfaction != ''), 0),
                          sum(satisfaction = 'satisfied') * 1.0 / nullif(sum(satisfaction != ''), 0)
                        FROM cases\(filter.map { " WHERE \($0.sql)" } ?? "") GROUP BY \(key)\(having?.sql ?? "");
                        """,
                    shape: .groups(key: key)))
            }
        }

        if let dump = ProcessInfo.processInfo.environment["CASEQL_DIFF_DUMP"] {
            // CASEQL_DIFF_DUMP=FILE writes every query pair, to look at what the generator makes.
            try queries.map { "\($0.caseql)\n\($0.sql)\n" }.joined(separator: "\n").write(toFile: dump, atomically: true, encoding: .utf8)
        }
        // One sqlite3 run for every query, each answer after a marker line.
        let script = queries.enumerated().map { "SELECT '@@\($0.offset)';\n\($0.element.sql)" }.joined(separator: "\n") + "\n"
        let out = try Sqlite.run(sqlite: sqlite, csv: dir + "/cases.csv", events: dir + "/events.csv", units: dir + "/units.csv", script: script, dir: dir)
        var answers = [[String]](repeating: [], count: queries.count)
        var current = -1
        for line in out.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("@@"), let i = Int(line.dropFirst(2)) { current = i; continue }
            if current >= 0 && !(line.isEmpty && current == queries.count - 1) { answers[current].append(String(line)) }
        }

        var mismatches = 0, nonEmpty = 0
        for (i, q) in queries.enumerated() {
            func fail(_ what: String) {
                mismatches += 1
                Issue.record("""
                    differential mismatch (seed \(DifferentialTests.seed), dataset seed \(DifferentialTests.datasetSeed), \
                    \(cases) cases), query #\(i): \(what)
                      caseql: \(q.caseql)
                      sql:    \(q.sql)
                    """)
            }
            let result: ResultSet
            do {
                guard case .rows(let r) = try engine.run(try Parser.parse(q.caseql)) else { fail("no rows"); continue }
                result = r
            } catch let e as QueryError {
                fail("the engine failed:\n" + e.rendered(source: q.caseql)); continue
            }
            let sqlRows = answers[i]
            switch q.shape {
            case .ids:
                let got = Set(result.rows.map { $0[0].text }), want = Set(sqlRows)
                if !got.isEmpty { nonEmpty += 1 }
                if got != want {
                    fail("ids differ: only caseql \(got.subtracting(want).sorted().prefix(5)), only sqlite \(want.subtracting(got).sorted().prefix(5)) (\(got.count) vs \(want.count))")
                }
            case .count:
                let got = result.rowCount == 1 ? result.cell(0, 0).text : "\(result.rowCount) rows"
                if got != "0" { nonEmpty += 1 }
                if got != sqlRows.first { fail("count \(got) vs sqlite \(sqlRows.first ?? "nothing")") }
            case .groups:
                var want: [String: [String]] = [:]
                for row in sqlRows {
                    let cols = row.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                    want[cols[0]] = Array(cols.dropFirst())
                }
                if result.rowCount > 0 { nonEmpty += 1 }
                var got: [String: [Cell]] = [:]
                for row in result.rows { got[row[0].text] = Array(row.dropFirst()) }
                if Set(got.keys) != Set(want.keys) {
                    fail("group keys differ: caseql \(got.keys.sorted()), sqlite \(want.keys.sorted())"); continue
                }
                for (key, cells) in got {
                    let w = want[key]!
                    guard cells.count == w.count else { fail("columns differ for \(key)"); break }
                    for (c, cell) in cells.enumerated() {
                        let ok: Bool
                        if w[c] == "NULL" { ok = cell == .null }
                        else if case .day = cell { ok = cell.text == w[c] }
                        else if let x = cell.number, let y = Double(w[c]) { ok = abs(x - y) < 1e-9 }
                        else { ok = false }
                        if !ok { fail("group \(key), column \(c + 1): caseql \(cell), sqlite \(w[c])"); break }
                    }
                }
            case .pivot:
                // sqlite's (status, kind, count) triples; empty cells are "(empty)" columns.
                var wantCells: [String: [String: Int]] = [:]
                for row in sqlRows {
                    let cols = row.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                    guard cols.count == 3, let n = Int(cols[2]) else { continue }
                    wantCells[cols[0], default: [:]][cols[1].isEmpty ? "(empty)" : cols[1]] = n
                }
                if result.rowCount > 1 { nonEmpty += 1 }
                let names = result.columns.map(\.name)
                guard names.first == "status", names.last == "total" else { fail("pivot columns \(names)"); continue }
                let kinds = Array(names.dropFirst().dropLast())
                let wantKinds = Set(wantCells.values.flatMap(\.keys))
                if Set(kinds) != wantKinds { fail("pivot columns: caseql \(kinds), sqlite \(wantKinds.sorted())"); continue }
                var gotRows: [String: [Cell]] = [:]
                for row in result.rows { gotRows[row[0].text] = Array(row.dropFirst()) }
                if Set(gotRows.keys) != Set(wantCells.keys).union(["total"]) {
                    fail("pivot rows: caseql \(gotRows.keys.sorted()), sqlite \(wantCells.keys.sorted())"); continue
                }
                var columnTotals = [Int](repeating: 0, count: kinds.count)
                for (status, cells) in gotRows where status != "total" {
                    var rowTotal = 0
                    for (k, kind) in kinds.enumerated() {
                        let n = wantCells[status]?[kind] ?? 0
                        rowTotal += n; columnTotals[k] += n
                        if cells[k] != .int(n) { fail("pivot \(status) × \(kind): caseql \(cells[k]), sqlite \(n)") }
                    }
                    if cells[kinds.count] != .int(rowTotal) { fail("pivot \(status) total: caseql \(cells[kinds.count]), sqlite \(rowTotal)") }
                }
                let totals: [Cell] = gotRows["total"]!
                let wantTotals: [Cell] = columnTotals.map { Cell.int($0) } + [Cell.int(columnTotals.reduce(0, +))]
                if totals != wantTotals {
                    fail("pivot totals: caseql \(totals), sqlite \(columnTotals)")
                }
            case .medians:
                var wantMedian: [String: Double?] = [:]
                for row in sqlRows {
                    let cols = row.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                    let values = cols[1] == "NULL" ? [] : cols[1].split(separator: ",").compactMap { Double($0) }.sorted()
                    wantMedian[cols[0]] = values.isEmpty ? nil
                        : (values.count % 2 == 1 ? values[values.count / 2] : (values[values.count / 2 - 1] + values[values.count / 2]) / 2)
                }
                if result.rowCount > 0 { nonEmpty += 1 }
                var gotMedian: [String: Cell] = [:]
                for row in result.rows { gotMedian[row[0].text] = row[1] }
                if Set(gotMedian.keys) != Set(wantMedian.keys) { fail("median groups: caseql \(gotMedian.keys.sorted()), sqlite \(wantMedian.keys.sorted())"); continue }
                for (key, cell) in gotMedian {
                    let w = wantMedian[key]!
                    let ok: Bool
                    if let w { ok = cell.number == w } else { ok = cell == .null }
                    if !ok { fail("median of \(key): caseql \(cell), sqlite \(String(describing: w))") }
                }
            }
            if mismatches >= 10 { Issue.record("stopping after 10 mismatches"); break }
        }
        // The generator must produce queries that select something, or the test proves little.
        #expect(nonEmpty > queries.count / 2, "only \(nonEmpty) of \(queries.count) queries had a non-empty answer")

        // First a subset: a few rows of a large pool rank their own texts (not the pool's ranks).
        let unit = units.sorted()[0]
        guard case .rows(let few) = try engine.run(try Parser.parse("select title, id from cases where unit = \"\(unit)\" order by title, id")) else {
            Issue.record("no rows"); return
        }
        // Sorting by text: sqlite has no pinyin collation, so the order is checked pair by pair
        // with Foundation's comparison (another route into ICU than the sort keys), and the
        // rows against sqlite's. At 70,000 cases the titles hold over 65,536 distinct texts.
        guard case .rows(let byTitle) = try engine.run(try Parser.parse("select title, id from cases order by title, id")) else {
            Issue.record("no rows"); return
        }
        let titlesOut = byTitle.rows.map { $0[0].text }
        if cases >= 65_536 { #expect(Set(titlesOut).count > 65_536) }
        var disorder = 0
        for i in 1..<titlesOut.count where Collation.less(titlesOut[i], titlesOut[i - 1]) { disorder += 1 }
        #expect(disorder == 0, "\(disorder) adjacent titles out of pinyin order")
        let sqlTitles = try Sqlite.run(sqlite: sqlite, csv: dir + "/cases.csv", events: dir + "/events.csv", units: dir + "/units.csv",
                                       script: "SELECT id FROM cases ORDER BY id;\n", dir: dir)
            .split(separator: "\n").map(String.init)
        #expect(byTitle.rows.map { $0[1].text }.sorted() == sqlTitles.sorted())
        let wanted = Set(few.rows.map { $0[1].text })
        #expect(few.rows.map { $0[1].text } == byTitle.rows.map { $0[1].text }.filter { wanted.contains($0) })
        if cases >= 65_536 { try checkPlannerAtScale(dir: dir) }
    }

    @Test func sqliteIsRequired() {
        // The differential test records an issue rather than skipping when sqlite3 is missing;
        // this guards that the check looks where Debian's package puts it.
        #expect(Sqlite.path() != nil, "sqlite3 is not installed: run scripts/setup.sh --test")
    }
}
