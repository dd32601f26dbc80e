// Reading a header of many columns in time linear in its columns (issue 17: 1,022 unknown
// columns once took 10.7 s, each column folding and comparing every spelling of every field).

/// The spellings of a table's fields (name, label, aliases), folded once: which field a header
/// cell names is one dictionary lookup, and the guess for a cell that names none compares it with
/// the spellings once, without folding them again.
struct FieldSpellings {
    /// The fields looked up: a table's fields that are not extra columns (derived ones included,
    /// so that a derived column read back is recognised).
    let specs: [FieldSpec]
    /// Folded spelling → index in `specs`: names and labels first, then aliases, each in the
    /// fields' order (the order `Schema.field` tries them).
    private let index: [String: Int]
    /// The stored (not derived) fields' spellings, for guesses: each one's field, its UTF-8 bytes
    /// and its length in characters, and all of them folded for edit distances.
    private let guessSpec: [Int]
    private let guessBytes: [[UInt8]]
    private let guessLength: [Int]
    private let folded: Suggest.Folded

    init(_ tableSpecs: [FieldSpec]) {
        specs = tableSpecs.filter { !$0.extra }
        var index: [String: Int] = [:]
        for (i, s) in specs.enumerated() {
            for w in [s.name, s.label] where index[EnumInfo.fold(w)] == nil { index[EnumInfo.fold(w)] = i }
        }
        for (i, s) in specs.enumerated() {
            for w in s.aliases where index[EnumInfo.fold(w)] == nil { index[EnumInfo.fold(w)] = i }
        }
        self.index = index
        var spec: [Int] = [], words: [String] = []
        for (i, s) in specs.enumerated() where !s.derived {
            for w in s.spellings { spec.append(i); words.append(w) }
        }
        guessSpec = spec
        guessBytes = words.map { Array($0.utf8) }
        guessLength = words.map(\.count)
        folded = Suggest.Folded(words)
    }

    /// The field `spelling` names (ASCII case-insensitive), as `Schema.field` finds it.
    func field(_ spelling: String) -> FieldSpec? { index[EnumInfo.fold(spelling)].map { specs[$0] } }

    /// The stored field a header that names none was probably meant to be, as `Schema.nearMiss`
    /// finds it: edit distance at most a third of its length (at least 1).
    func nearMiss(_ header: String) -> FieldSpec? {
        folded.closest(to: header).map { specs[guessSpec[$0]] }
    }

    /// The field a header cell that names none most likely means (`HeaderText.guess`): one of its
    /// spellings contains the cell's words or is contained in them (two characters or more), the
    /// nearest in length winning; else the near miss. None for a header of `knownColumns`.
    func guess(_ raw: String) -> FieldSpec? {
        let h = HeaderText.squeezed(raw)
        let length = h.count
        guard length >= 2, HeaderText.knownColumns[h] == nil else { return nil }
        let bytes = Array(h.utf8)
        var best: (spec: Int, score: Int)?
        for k in guessSpec.indices where guessLength[k] >= 2 {
            let s = guessBytes[k]
            guard FieldSpellings.contains(bytes, s) || FieldSpellings.contains(s, bytes) else { continue }
            let score = abs(guessLength[k] - length)
            if score < best?.score ?? Int.max { best = (guessSpec[k], score) }
        }
        return best.map { specs[$0.spec] } ?? nearMiss(h)
    }

    /// Whether `part` occurs in `whole`, byte for byte (for UTF-8, as characters do).
    static func contains(_ whole: [UInt8], _ part: [UInt8]) -> Bool {
        let n = whole.count, m = part.count
        guard m > 0 else { return true }
        guard m <= n else { return false }
        let first = part[0]
        var i = 0
        while i <= n - m {
            if whole[i] == first {
                var j = 1
                while j < m && whole[i + j] == part[j] { j += 1 }
                if j == m { return true }
            }
            i += 1
        }
        return false
    }
}
