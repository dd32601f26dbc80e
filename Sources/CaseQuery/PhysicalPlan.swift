import CaseStore

/// How a condition is answered, decided by the `Planner` before any row is read: each step of
/// the logical plan (`Plan`) with the access path chosen for it (an index, a pass over a column,
/// a test of the rows the steps before it left) and the planner's estimate of the rows it keeps.
/// `explain` prints it; `execute` runs it as planned, choosing nothing.
public struct PhysicalPlan {
    public enum Access {
        case constant(Bool)
        /// Rows holding any of these codes, by the method chosen.
        case codes(TableIndexes, field: String, codes: [Int], TableIndexes.Method)
        /// Rows whose value lies in lo...hi, from the field's sorted index.
        case sortedRange(TableIndexes, field: String, lo: Int32, hi: Int32)
        /// The range tested on each row left: few rows left of a large table (`countsUse`
        /// false), or its index not worth building yet (true: the question counts toward it).
        case rangeTest((Int) -> Bool, TableIndexes, field: String, countsUse: Bool)
        /// A test of each row left.
        case scan((Int) -> Bool)
        /// Rows made at once (a bigram search, related rows, history).
        case bitmap(() -> Bitmap)
        case and, or, not
    }
    /// What the step asks: `unit = "教育局"`.
    public let text: String
    public let access: Access
    /// The steps of `and` (in the order they run), `or` and `not`.
    public let parts: [PhysicalPlan]
    /// The rows the planner expects the step to keep: from an index already built or the
    /// column's value counts (as a share of the rows left), otherwise a guess.
    public let estimate: Int
    /// Whether the estimate comes from counts (an index's, a column's value counts) all the
    /// way down, rather than a guess.
    public var counted = true

    /// The plan as lines, one a step, indented by depth: its access path and estimate.
    public func lines(depth: Int = 0) -> [String] {
        let pad = String(repeating: "  ", count: depth)
        let est = "~\(estimate) rows" + (counted ? "" : " (guessed)")
        switch access {
        case .constant: return ["\(pad)\(text) (\(est))"]
        case .codes(let indexes, let field, _, let method):
            switch method {
            case .index:
                let built = indexes.indexedCount(field, codes: []) != nil
                return ["\(pad)\(text): index of \(field)\(built ? "" : " (built now)"), \(est)"]
            case .scan: return ["\(pad)\(text): a pass over \(field) (its index is built from the third use), \(est)"]
            case .test: return ["\(pad)\(text): a test of the rows left, \(est)"]
            }
        case .sortedRange(let indexes, let field, _, _):
            let built = indexes.indexedCount(field, from: 0, through: 0) != nil
            return ["\(pad)\(text): sorted index of \(field)\(built ? "" : " (built now)"), \(est)"]
        case .rangeTest(_, _, _, let countsUse):
            return ["\(pad)\(text): a test of the rows left" + (countsUse ? " (its index is built from the third use)"
                : " (under 1/\(Planner.fewRowsRatio) of a table of \(Planner.fewRowsTable)+ rows)") + ", \(est)"]
        case .scan: return ["\(pad)test \(text) on each row left, \(est)"]
        case .bitmap: return ["\(pad)rows of \(text), \(est)"]
        case .and: return ["\(pad)and, \(est)"] + parts.flatMap { $0.lines(depth: depth + 1) }
        case .or: return ["\(pad)or, \(est)"] + parts.flatMap { $0.lines(depth: depth + 1) }
        case .not: return ["\(pad)not, \(est)"] + parts.flatMap { $0.lines(depth: depth + 1) }
        }
    }

    /// Runs the plan over the rows of `within` as the planner chose, adding a line a step to
    /// `trace` when given (for `explain analyze`).
    public func execute(within: Bitmap, trace: inout [String]?, depth: Int = 0) -> Bitmap {
        let pad = String(repeating: "  ", count: depth)
        switch access {
        case .constant(let v):
            trace?.append("\(pad)\(text) → \(v ? within.cardinality : 0) rows")
            return v ? within : Bitmap(count: within.count)
        case .codes(let indexes, let field, let codes, let method):
            let before = trace == nil ? 0 : within.cardinality
            let b = indexes.rows(field, codes: codes, by: method, within: within)
            switch method {
            case .index: trace?.append("\(pad)index \(text) → \(b.cardinality) rows")
            case .scan: trace?.append("\(pad)pass over \(field) for \(text) (its index is built from the third use) → \(b.cardinality) rows")
            case .test: trace?.append("\(pad)test \(text) on the \(before) rows left → \(b.cardinality) rows")
            }
            return b
        case .sortedRange(let indexes, let field, let lo, let hi):
            var b = Bitmap(count: within.count, rows: indexes.sorted(field).rows(from: lo, through: hi))
            b.formIntersection(within)
            trace?.append("\(pad)index \(text) → \(b.cardinality) rows")
            return b
        case .rangeTest(let test, let indexes, let field, let countsUse):
            var b = within
            let before = trace == nil ? 0 : b.cardinality
            if countsUse { indexes.noteUse(field) }
            b.filter(test)
            trace?.append("\(pad)test \(text) on the \(before) rows\(countsUse ? " (its index is built from the third use)" : " left") → \(b.cardinality) rows")
            return b
        case .scan(let test):
            var b = within
            let before = trace == nil ? 0 : b.cardinality
            b.filter(test)
            trace?.append("\(pad)scan \(text) over \(before) rows → \(b.cardinality) rows")
            return b
        case .bitmap(let make):
            var b = make()
            b.formIntersection(within)
            trace?.append("\(pad)index \(text) → \(b.cardinality) rows")
            return b
        case .and:
            trace?.append("\(pad)and")
            var acc = within
            for p in parts {
                acc = p.execute(within: acc, trace: &trace, depth: depth + 1)
                if acc.isEmpty && trace == nil { break }
            }
            trace?.append("\(pad)→ \(acc.cardinality) rows")
            return acc
        case .or:
            trace?.append("\(pad)or")
            var acc = Bitmap(count: within.count)
            for p in parts {
                // Rows already kept need no second look.
                let rest = within.subtracting(acc)
                acc.formUnion(p.execute(within: rest, trace: &trace, depth: depth + 1))
            }
            trace?.append("\(pad)→ \(acc.cardinality) rows")
            return acc
        case .not:
            trace?.append("\(pad)not")
            let inner = parts[0].execute(within: within, trace: &trace, depth: depth + 1)
            let out = within.subtracting(inner)
            trace?.append("\(pad)→ \(out.cardinality) rows")
            return out
        }
    }
}

/// Turns a logical plan into a physical one, by row counts: the table's, the rows the steps
/// before each step are expected to leave (taking conditions as independent), an index's own
/// counts where it is built, else a column's value counts (`TableIndexes.valueCounts`, the
/// statistics kept per enum, yes/no and text column). It reads no row for the query and
/// builds no index.
///
/// - Codes (an enum, yes/no, text or list value): the index when it is built or worth building
///   (tables under 65,536 rows always; larger ones from the third question on a field); else a
///   test of the rows left when under a quarter of the table is expected; else one pass over
///   the column.
/// - A range of a date or number: a test of the rows left when under 1/32 of a table of 65,536
///   rows or more is expected; else the sorted index when it is worth building; else a test.
/// - `and` runs its index steps first, then the tests over what they kept.
public struct Planner {
    /// Tables at least this large, narrowed to under 1/fewRowsRatio of their rows, have their
    /// remaining range conditions tested row by row.
    public static let fewRowsTable = 65_536
    public static let fewRowsRatio = 32
    /// Without an index to count, a test keeps about half of the rows, a range a third, an
    /// equality one in a hundred.
    static let guessTest = 2, guessRange = 3, guessEquality = 100

    /// The rows of the table the plan runs over.
    public let tableRows: Int

    /// The physical plan of `plan` over `rows` rows expected to be left (the table's by default).
    public func plan(_ plan: Plan, rows: Int? = nil) -> PhysicalPlan {
        let r = rows ?? tableRows
        let n = max(tableRows, 1)
        func share(_ count: Int) -> Int { Int((Double(count) * Double(r) / Double(n)).rounded()) }
        switch plan {
        case .constant(let v, let text):
            return PhysicalPlan(text: text, access: .constant(v), parts: [], estimate: v ? r : 0)
        case .index(let text, let make):
            return PhysicalPlan(text: text, access: .bitmap(make), parts: [], estimate: r / Planner.guessTest, counted: false)
        case .scan(let text, let test):
            return PhysicalPlan(text: text, access: .scan(test), parts: [], estimate: r / Planner.guessTest, counted: false)
        case .codes(let text, let indexes, let field, let codes):
            let counted = indexes.indexedCount(field, codes: codes) ?? indexes.valueCounts(field).map { counts in
                codes.reduce(0) { $0 + ($1 >= 0 && $1 < counts.count ? counts[$1] : 0) }
            }
            let estimate = counted.map(share) ?? r * codes.count / max(1, Planner.valueCount(indexes.table, field))
            let method: TableIndexes.Method
            if indexes.wouldUseIndex(field) { method = .index }
            else if r * 4 < tableRows { method = .test }
            else { method = .scan }
            return PhysicalPlan(text: text, access: .codes(indexes, field: field, codes: codes, method), parts: [],
                                estimate: min(r, estimate), counted: counted != nil)
        case .range(let text, let indexes, let field, let lo, let hi, let test):
            let counted = indexes.indexedCount(field, from: lo, through: hi)
            let estimate = counted.map(share) ?? r / (lo == hi ? Planner.guessEquality : Planner.guessRange)
            let access: PhysicalPlan.Access
            if tableRows >= Planner.fewRowsTable && r * Planner.fewRowsRatio < tableRows {
                access = .rangeTest(test, indexes, field: field, countsUse: false)
            } else if indexes.wouldUseIndex(field) {
                access = .sortedRange(indexes, field: field, lo: lo, hi: hi)
            } else {
                access = .rangeTest(test, indexes, field: field, countsUse: true)
            }
            return PhysicalPlan(text: text, access: access, parts: [], estimate: min(r, estimate), counted: counted != nil)
        case .and(let parts):
            // Index steps first, then the tests over the rows they kept.
            var left = r
            var steps: [PhysicalPlan] = []
            for p in parts.filter(\.isIndexed) + parts.filter({ !$0.isIndexed }) {
                let step = self.plan(p, rows: left)
                steps.append(step)
                left = step.estimate
            }
            return PhysicalPlan(text: "and", access: .and, parts: steps, estimate: left, counted: steps.allSatisfy(\.counted))
        case .or(let parts):
            let steps = parts.map { self.plan($0, rows: r) }
            return PhysicalPlan(text: "or", access: .or, parts: steps, estimate: min(r, steps.reduce(0) { $0 + $1.estimate }),
                                counted: steps.allSatisfy(\.counted))
        case .not(let p):
            let inner = self.plan(p, rows: r)
            return PhysicalPlan(text: "not", access: .not, parts: [inner], estimate: max(0, r - inner.estimate), counted: inner.counted)
        }
    }

    /// The number of values a coded column can hold (an enum's values and empty; yes/no's two;
    /// the distinct texts of a text or list column).
    static func valueCount(_ table: Table, _ field: String) -> Int {
        switch table.column(field) {
        case .code(let c)?: return c.info.values.count + 1
        case .bool?: return 2
        case .text(let c)?: return c.pool.count
        case .list(let c)?: return c.pool.count
        default: return 1
        }
    }
}

extension Plan {
    /// Plans and runs a condition over the rows of `within` (a whole table, or a subset).
    func run(within: Bitmap) -> Bitmap {
        var noTrace: [String]? = nil
        return Planner(tableRows: within.count).plan(self, rows: within.cardinality).execute(within: within, trace: &noTrace)
    }
}
