import CaseStore

/// How a condition is answered: from an index (a set of rows at once), or by testing each row
/// that the steps before it kept. `and` runs index steps first and narrows as it goes, so a scan
/// only sees the rows the indexes left.
public indirect enum Plan {
    /// Rows from an index; the text says which index and which key.
    case index(String, () -> Bitmap)
    /// Rows holding any of these codes in an enum, yes/no, text or list field: from its index
    /// when it is built (or worth building), else by testing the rows left (few) or the column.
    case codes(String, TableIndexes, field: String, codes: [Int])
    /// An index step that can also be answered by testing rows: when the steps before it left
    /// few rows of a large table, testing those is cheaper than building or reading the index.
    /// The index closure gives nil when its index is not worth building yet (see
    /// `TableIndexes.worthBuilding`): the rows are tested then too.
    case rangeIndex(String, () -> Bitmap?, (Int) -> Bool)
    /// A test on each candidate row; the text says what is tested.
    case scan(String, (Int) -> Bool)
    case and([Plan])
    case or([Plan])
    case not(Plan)
    case constant(Bool, String)

    /// Tables at least this large, narrowed to under 1/fewRowsRatio of their rows, have their
    /// remaining range conditions tested row by row.
    static let fewRowsTable = 65_536
    static let fewRowsRatio = 32

    var isIndexed: Bool {
        switch self {
        case .index, .rangeIndex, .constant, .codes: return true
        case .scan: return false
        case .and(let ps), .or(let ps): return ps.allSatisfy(\.isIndexed)
        case .not(let p): return p.isIndexed
        }
    }

    /// The plan as lines, without running it: what each step asks and how it may be answered
    /// (the choice between an index and a test of the rows left is made on the rows left when
    /// it runs; `explain analyze` shows the choice made).
    func describe(depth: Int = 0) -> [String] {
        let pad = String(repeating: "  ", count: depth)
        switch self {
        case .constant(_, let text): return ["\(pad)\(text)"]
        case .index(let text, _): return ["\(pad)rows of \(text)"]
        case .codes(let text, _, let field, _):
            return ["\(pad)\(text): index of \(field), or a pass over it, or a test of the rows left"]
        case .rangeIndex(let text, _, _):
            return ["\(pad)\(text): sorted index, or a test of the rows left (under 1/\(Plan.fewRowsRatio) of \(Plan.fewRowsTable)+ rows)"]
        case .scan(let text, _): return ["\(pad)test \(text) on each row left"]
        case .and(let parts):
            // As run: index steps first, then the tests.
            return ["\(pad)and"] + (parts.filter(\.isIndexed) + parts.filter { !$0.isIndexed }).flatMap { $0.describe(depth: depth + 1) }
        case .or(let parts): return ["\(pad)or"] + parts.flatMap { $0.describe(depth: depth + 1) }
        case .not(let p): return ["\(pad)not"] + p.describe(depth: depth + 1)
        }
    }

    /// Runs the plan over the rows of `within`, adding a line a step to `trace` when given.
    func execute(within: Bitmap, trace: inout [String]?, depth: Int = 0) -> Bitmap {
        let pad = String(repeating: "  ", count: depth)
        switch self {
        case .constant(let v, let text):
            trace?.append("\(pad)\(text) → \(v ? within.cardinality : 0) rows")
            return v ? within : Bitmap(count: within.count)
        case .index(let text, let make):
            var b = make()
            b.formIntersection(within)
            trace?.append("\(pad)index \(text) → \(b.cardinality) rows")
            return b
        case .codes(let text, let indexes, let field, let codes):
            let before = trace == nil ? 0 : within.cardinality
            let (b, method) = indexes.rowsAnswered(field, codes: codes, within: within)
            switch method {
            case .index: trace?.append("\(pad)index \(text) → \(b.cardinality) rows")
            case .scan: trace?.append("\(pad)pass over \(field) for \(text) (its index is built from the third use) → \(b.cardinality) rows")
            case .test: trace?.append("\(pad)test \(text) on the \(before) rows left → \(b.cardinality) rows")
            }
            return b
        case .rangeIndex(let text, let make, let test):
            // Few rows left of a large table: test them rather than build or walk the index.
            if within.count >= Plan.fewRowsTable, within.cardinality * Plan.fewRowsRatio < within.count {
                var b = within
                let before = trace == nil ? 0 : b.cardinality
                b.filter(test)
                trace?.append("\(pad)test \(text) on the \(before) rows left → \(b.cardinality) rows")
                return b
            }
            guard var b = make() else {
                var b = within
                let before = trace == nil ? 0 : b.cardinality
                b.filter(test)
                trace?.append("\(pad)test \(text) on the \(before) rows (its index is built from the third use) → \(b.cardinality) rows")
                return b
            }
            b.formIntersection(within)
            trace?.append("\(pad)index \(text) → \(b.cardinality) rows")
            return b
        case .scan(let text, let test):
            var b = within
            let before = trace == nil ? 0 : b.cardinality
            b.filter(test)
            trace?.append("\(pad)scan \(text) over \(before) rows → \(b.cardinality) rows")
            return b
        case .and(let parts):
            trace?.append("\(pad)and")
            var acc = within
            // Index steps first, then the scans over what they kept.
            for p in parts.filter(\.isIndexed) + parts.filter({ !$0.isIndexed }) {
                acc = p.execute(within: acc, trace: &trace, depth: depth + 1)
                if acc.isEmpty && trace == nil { break }
            }
            trace?.append("\(pad)→ \(acc.cardinality) rows")
            return acc
        case .or(let parts):
            trace?.append("\(pad)or")
            var acc = Bitmap(count: within.count)
            for p in parts {
                // Rows already kept need no second look.
                let rest = within.subtracting(acc)
                acc.formUnion(p.execute(within: rest, trace: &trace, depth: depth + 1))
            }
            trace?.append("\(pad)→ \(acc.cardinality) rows")
            return acc
        case .not(let p):
            trace?.append("\(pad)not")
            let inner = p.execute(within: within, trace: &trace, depth: depth + 1)
            let out = within.subtracting(inner)
            trace?.append("\(pad)→ \(out.cardinality) rows")
            return out
        }
    }
}
