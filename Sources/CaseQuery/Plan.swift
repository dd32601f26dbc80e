import CaseStore

/// A condition as the binder understands it: the logical plan, a value that says what each
/// step asks and what could answer it (an index, a range of a sorted index, a test of rows),
/// without choosing. The `Planner` chooses, by row counts, and makes a `PhysicalPlan`, which is
/// what runs.
public indirect enum Plan {
    /// Rows made at once (a bigram search, related rows, history); the text says what.
    case index(String, () -> Bitmap)
    /// Rows holding any of these codes in an enum, yes/no, text or list field: from its index,
    /// by a pass over its column, or by a test of the rows left.
    case codes(String, TableIndexes, field: String, codes: [Int])
    /// Rows whose value of a date or number column lies in lo...hi: from its sorted index, or
    /// by testing the rows left (`test` holds for exactly those rows).
    case range(String, TableIndexes, field: String, lo: Int32, hi: Int32, test: (Int) -> Bool)
    /// A test on each candidate row; the text says what is tested.
    case scan(String, (Int) -> Bool)
    case and([Plan])
    case or([Plan])
    case not(Plan)
    case constant(Bool, String)

    /// Whether every step can be answered without testing row by row.
    var isIndexed: Bool {
        switch self {
        case .index, .range, .constant, .codes: return true
        case .scan: return false
        case .and(let ps), .or(let ps): return ps.allSatisfy(\.isIndexed)
        case .not(let p): return p.isIndexed
        }
    }

    /// The logical plan as lines: what each step asks and what may answer it (the physical
    /// plan says what will).
    func describe(depth: Int = 0) -> [String] {
        let pad = String(repeating: "  ", count: depth)
        switch self {
        case .constant(_, let text): return ["\(pad)\(text)"]
        case .index(let text, _): return ["\(pad)rows of \(text)"]
        case .codes(let text, _, let field, _):
            return ["\(pad)\(text): index of \(field), or a pass over it, or a test of the rows left"]
        case .range(let text, _, let field, _, _, _):
            return ["\(pad)\(text): sorted index of \(field), or a test of the rows left"]
        case .scan(let text, _): return ["\(pad)test \(text) on each row left"]
        case .and(let parts):
            // As run: index steps first, then the tests.
            return ["\(pad)and"] + (parts.filter(\.isIndexed) + parts.filter { !$0.isIndexed }).flatMap { $0.describe(depth: depth + 1) }
        case .or(let parts): return ["\(pad)or"] + parts.flatMap { $0.describe(depth: depth + 1) }
        case .not(let p): return ["\(pad)not"] + p.describe(depth: depth + 1)
        }
    }
}
