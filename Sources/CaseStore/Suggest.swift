// "Did you mean …?": the closest candidate to a misspelt word.

public enum Suggest {
    /// The candidate closest to `word` by edit distance over Characters (insertions, deletions,
    /// substitutions, and transpositions of two neighbours, each costing 1; ASCII letters
    /// compared case-insensitively), if it is within `maxDistance`. The default threshold is a
    /// third of the word's length, at least 1: `unti` → `unit`, `教育厅` → `教育局`.
    /// Ties go to the earlier candidate. A word equal to a candidate returns that candidate.
    public static func closest(to word: String, in candidates: [String], maxDistance: Int? = nil) -> String? {
        Folded(candidates).closest(to: word, maxDistance: maxDistance).map { candidates[$0] }
    }

    /// The value a person most likely meant by one no row has: the closest by edit distance
    /// (`closest`), else the shortest that begins with it (`医保` → `医保局`), else the shortest
    /// that contains it, else one that reads as it once its control characters are made visible
    /// (`Escape.visible`: a value copied off the screen). For values of the data (units, ids …).
    public static func value(for word: String, in candidates: [String]) -> String? {
        if let c = closest(to: word, in: candidates) { return c }
        guard !word.isEmpty else { return nil }
        let shortest = { (all: [String]) in all.min { ($0.count, $0) < ($1.count, $1) } }
        return shortest(candidates.filter { $0.hasPrefix(word) })
            ?? shortest(candidates.filter { $0.contains(word) })
            ?? candidates.first { $0 != word && Escape.visible($0) == word }
    }

    /// Candidates folded once, to be asked about many words (each column of a wide header).
    public struct Folded: Sendable {
        let words: [[Character]]
        public init(_ candidates: [String]) { words = candidates.map(Suggest.fold) }

        /// The index of the candidate closest to `word`, as `Suggest.closest` chooses it. A
        /// candidate whose length alone puts it past the limit or the best so far is not compared
        /// (the distance is at least the difference in length).
        public func closest(to word: String, maxDistance: Int? = nil) -> Int? {
            let target = Suggest.fold(word)
            guard !target.isEmpty else { return nil }
            let limit = maxDistance ?? max(1, target.count / 3)
            var best: (index: Int, distance: Int)?
            for (i, candidate) in words.enumerated() {
                let bound = min(limit, (best?.distance ?? Int.max) - 1)
                if abs(candidate.count - target.count) > bound { continue }
                let d = Suggest.distance(target, candidate)
                if d <= limit && d < (best?.distance ?? Int.max) { best = (i, d) }
            }
            return best?.index
        }
    }

    /// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions).
    public static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var before = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var row = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            row[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var d = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d = min(d, before[j - 2] + 1)
                }
                row[j] = d
            }
            (before, previous, row) = (previous, row, before)
        }
        return previous[b.count]
    }

    fileprivate static func fold(_ s: String) -> [Character] {
        s.map { $0.isASCII ? Character($0.lowercased()) : $0 }
    }
}
