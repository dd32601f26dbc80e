import Testing
@testable import CaseStore

@Test func containsByScanAgreesWithTheBigramIndexAndBruteForce() throws {
    let ds = try TempDataset([:])
    try DatasetGenerator(cases: 3000, seed: 9).write(to: ds.path)
    let (store, _) = try DatasetLoader.load(ds.path)
    let pool = store.cases.text("title").pool
    let needles = ["午餐", "学", "关于", "的提案", "不存在的词", "2", "“", "建议"]
    // Before the bigram index exists: the scan.
    let scanned = needles.map { store.cases.indexes.codes(containing: $0, in: pool) }
    let index = store.cases.indexes.bigrams(pool)
    for (needle, got) in zip(needles, scanned) {
        let brute = (0..<UInt32(pool.count)).filter { oracleContains(pool[$0], needle) }
        #expect(got == brute, "\(needle)")
        #expect((index.codes(containing: needle) ?? got) == brute, "\(needle)")
    }
    #expect(scanned[0].count > 0 && scanned[4].isEmpty)
}

@Test func aPassOverTheColumnAgreesWithTheIndexes() throws {
    let ds = try TempDataset([:])
    try DatasetGenerator(cases: 70_003, seed: 4).write(to: ds.path)   // not a multiple of 8 or 64
    let (store, _) = try DatasetLoader.load(ds.path)
    let t = store.cases
    #expect(t.count >= TableIndexes.scanFirstFrom && t.count % 8 != 0)
    let idx = t.indexes
    let unitPool = t.text("unit").pool
    let cases: [(String, [Int])] = [
        ("kind", [0]), ("kind", [1]), ("status", [0, 2, 5]), ("satisfaction", [t.code("satisfaction").info.values.count]),
        ("key_supervised", [1]), ("key_supervised", [0]), ("unit", [Int(unitPool.lookup("教育局")!)]),
        ("unit", [Int(unitPool.lookup("教育局")!), Int(unitPool.lookup("公安局")!)]), ("co_units", [Int(unitPool.lookup("教育局")!)]),
    ]
    // How a question is answered: a pass, a pass, then the index; a few rows left are tested.
    let few = Bitmap(count: t.count, rows: (0..<UInt32(t.count)).filter { $0 % 10 == 0 })
    #expect(idx.rowsAnswered("form", codes: [0], within: few).method == .test)
    #expect(idx.rowsAnswered("form", codes: [0], within: nil).method == .scan)
    #expect(idx.rowsAnswered("form", codes: [0], within: nil).method == .index)
    #expect(idx.rowsAnswered("form", codes: [1], within: few).method == .index)
    for (field, codes) in cases {
        let scanned = idx.scan(field, codes: codes)
        // The first two questions scan, the third builds the index: all three agree.
        let answers = (0..<3).map { _ in idx.rows(field, codes: codes) }
        let expected: [Int]
        switch t.column(field)! {
        case .code(let c):
            let want = Set(codes.map { $0 == c.info.values.count ? Int(EnumInfo.none) : $0 })
            expected = (0..<t.count).filter { want.contains(Int(c.codes[$0])) }
        case .bool(let c): expected = (0..<t.count).filter { codes.contains(c.values[$0] ? 1 : 0) }
        case .text(let c): expected = (0..<t.count).filter { codes.contains(Int(c.codes[$0])) }
        case .list(let c): expected = (0..<t.count).filter { r in c.range(r).contains { codes.contains(Int(c.values[$0])) } }
        default: expected = []
        }
        #expect(scanned.rows.map { Int($0) } == expected, "\(field) \(codes)")
        // Few rows left: tested one by one.
        let sparse = Bitmap(count: t.count, rows: (0..<UInt32(t.count)).filter { $0 % 50 == 7 })
        #expect(idx.test(field, codes: codes, within: sparse).rows.map { Int($0) } == expected.filter { $0 % 50 == 7 }, "\(field) \(codes)")
        for a in answers { #expect(a.rows.map { Int($0) } == expected, "\(field) \(codes)") }
        #expect(expected.count > 0, "\(field) \(codes)")
    }
}

@Test func eightBytesAtATimeMatchesByteByByte() {
    var rng = SplitMix64(seed: 21)
    for round in 0..<300 {
        let n = Int(rng.next() % 300)
        let values = (0..<n).map { _ in UInt8(rng.next() % 6) == 5 ? 255 : UInt8(rng.next() % 6) }
        let codes = Array(Set((0..<Int(rng.next() % 4 + 1)).map { _ in UInt8(rng.next() % 6) == 5 ? 255 : UInt8(rng.next() % 6) }))
        let invert = rng.next() % 2 == 0
        var words = [UInt64](repeating: 0, count: (n + 63) / 64)
        values.withUnsafeBufferPointer { v in words.withUnsafeMutableBufferPointer { TableIndexes.matchBytes(v, codes, invert: invert, into: $0) } }
        let got = (0..<n).filter { words[$0 >> 6] >> UInt64($0 & 63) & 1 == 1 }
        let expected = (0..<n).filter { codes.contains(values[$0]) != invert }
        #expect(got == expected, "round \(round)")
    }
}
