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
        let brute = (0..<UInt32(pool.count)).filter { pool[$0].contains(needle) }
        #expect(got == brute, "\(needle)")
        #expect(index.codes(containing: needle) == brute, "\(needle)")
    }
    #expect(scanned[0].count > 0 && scanned[4].isEmpty)
}
