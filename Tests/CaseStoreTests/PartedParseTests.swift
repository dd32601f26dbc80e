import Foundation
import Testing
@testable import CaseStore

// A file parsed in parts (PartedParse.swift): the parts after the first run on threads of their
// own, and hand their rows back through PartSlots; progress is reported by the loading thread only.

@Test func progressOfALoadInPartsIsReportedOnTheLoadingThread() throws {
    let ds = try TempDataset([:])
    // A file of several MB: the first part reports progress as it goes.
    try DatasetGenerator(cases: 20_000, seed: 11).write(to: ds.path)
    var options = LoadOptions()
    options.parallelThreshold = 0
    let loading = pthread_self()
    var calls = 0, elsewhere = 0
    var fractions: [Double] = []
    options.progress = { fraction in
        calls += 1
        if pthread_equal(pthread_self(), loading) == 0 { elsewhere += 1 }
        fractions.append(fraction)
    }
    let (two, _) = try DatasetLoader.load(ds.path, options: options)
    let (one, _) = try DatasetLoader.load(ds.path, options: { var o = LoadOptions(); o.parallelThreshold = Int.max; return o }())
    #expect(two.cases.count == 20_000)
    #expect(dump(one) == dump(two))
    #expect(calls > 0)
    #expect(elsewhere == 0)
    #expect(fractions.allSatisfy { $0 >= 0 && $0 <= 1 })
}

@Test func partSlotsHandEachValueBackOnce() {
    let slots = PartSlots<[Int]>(count: 4)
    DispatchQueue.concurrentPerform(iterations: 4) { k in
        slots.put(Array(repeating: k, count: k + 1), at: k)
    }
    for k in 0..<4 { #expect(slots.take(at: k) == Array(repeating: k, count: k + 1)) }
    #expect(slots.take(at: 2) == nil)
}

@Test func aLongRunOfDigitsInADateCellIsAnErrorNotAnOverflow() throws {
    // Found by the loader fuzz target: a date cell of twenty digits overflowed the serial-day reader.
    #expect(Array(String(repeating: "2", count: 20).utf8).withUnsafeBufferPointer { CellParser.serialDay($0) } == nil)
    #expect(Array("438910".utf8).withUnsafeBufferPointer { CellParser.serialDay($0) } == nil)
    let e = try loadError(["cases.csv": header + goodRow1.replacingOccurrences(of: "2020-03-10", with: String(repeating: "9", count: 30))])
    #expect(e.issues.first?.field == "assigned_on")
}
