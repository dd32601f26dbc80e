import Foundation
import Testing
@testable import CaseStore
#if canImport(Glibc)
import Glibc
#endif

// A snapshot whose file shrinks while a store reads it (another process truncates it): pages
// past the new end would end the process with SIGBUS at their next read. caseql's handler
// (Sources/CSupport) puts zero pages in their place and marks the mapping lost; the store then
// has a fault, as for a damaged section, and is loaded again from the files.

/// A file of `pages` pages, each filled with its number plus one, mapped as a snapshot is.
private func mappedFile(pages: Int) throws -> (path: String, fd: Int32, map: SnapshotMapping) {
    let path = NSTemporaryDirectory() + "caseql-map-" + UUID().uuidString
    var bytes: [UInt8] = []
    for p in 0..<pages { bytes += [UInt8](repeating: UInt8(p + 1), count: 4096) }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let fd = open(path, O_RDONLY)
    try #require(fd >= 0)
    let map = try #require(SnapshotMapping(fd: fd, length: bytes.count))
    return (path, fd, map)
}

/// Reads one byte as a column's reader would (through the pointer, not a copy).
@inline(never) private func byte(_ map: SnapshotMapping, _ at: Int) -> UInt8 {
    map.base.load(fromByteOffset: at, as: UInt8.self)
}

@Suite(.serialized) struct SnapshotTruncationTests {
    @Test func aMappingWhoseFileShrinksReadsZerosInsteadOfEndingTheProcess() throws {
        let (path, fd, map) = try mappedFile(pages: 6)
        let (otherPath, otherFD, other) = try mappedFile(pages: 3)
        defer { close(fd); close(otherFD); unlink(path); unlink(otherPath) }
        #expect(byte(map, 5 * 4096 + 7) == 6 && byte(map, 0) == 1 && !map.lost)
        #expect(truncate(path, 2 * 4096) == 0)
        // A page still inside the file reads as before; one past its end would raise SIGBUS.
        #expect(byte(map, 4096) == 2 && !map.lost)
        #expect(byte(map, 4 * 4096 + 1) == 0)
        #expect(map.lost)
        // From there to its end the mapping is zeros; an earlier page past the file's end too,
        // when read; the pages the file still has are as they were; another mapping is untouched.
        #expect(byte(map, 5 * 4096) == 0 && byte(map, 3 * 4096 + 9) == 0)
        #expect(byte(map, 0) == 1 && byte(map, 2 * 4096 - 1) == 2)
        #expect(byte(other, 2 * 4096) == 3 && !other.lost)
    }

    @Test func aTruncatedSnapshotIsAFaultWhicheverColumnReadsPastItsEnd() throws {
        // Cases only, more than 65,536 rows; truncated at a page boundary (the next read of a
        // page past it faults), in the middle of a page (the rest of that page reads as zeros
        // with no fault: the size says so) and to nothing.
        let ds = try CachedDataset(cases: 70_000, seed: 12)
        try FileManager.default.removeItem(atPath: ds.path + "/events.csv")
        let (fresh, _) = try ds.load()
        let want = fresh.cases.text("title").codes.map { fresh.cases.text("title").pool[$0] }
        for cut in ["a page boundary", "the middle of a page", "nothing"] {
            let (store, r) = try ds.load()
            #expect(r.fromSnapshot && store.snapshotFault == nil, "\(cut)")
            let file = ds.snapshotFile
            #expect(store.cases.code("status").codes == fresh.cases.code("status").codes)
            let (at, _) = try sectionOffset(file, "pool3.bytes")   // the titles' strings
            let size = cut == "nothing" ? 0 : cut == "a page boundary" ? at & ~4095 : at + 1000
            #expect(truncate(file, off_t(size)) == 0)
            // Reading past the end goes on (zeros or empty cells), and the store knows.
            let titles = store.cases.text("title")
            _ = titles.codes.map { titles.pool[$0] }
            _ = store.pools.titles.lookup(want[7])
            let fault = store.snapshotFault?.en ?? ""
            #expect(fault.contains("truncated while in use") && fault.contains(file), "\(cut): \(fault)")
            #expect(!FileManager.default.fileExists(atPath: file), "\(cut): the truncated file is deleted")
            // The next load parses the files and writes a whole snapshot again.
            let (again, r2) = try ds.load()
            #expect(!r2.fromSnapshot && again.cases.text("title").codes.map { again.cases.text("title").pool[$0] } == want)
        }
    }

    @Test func aSnapshotReplacedWhileInUseKeepsAnswering() throws {
        // Renamed over (an editor's save, another caseql writing it anew): the mapping keeps the
        // old file, which stays whole; nothing faults.
        let ds = try CachedDataset(cases: 3000, seed: 13)
        let (fresh, _) = try ds.load()
        let (store, r) = try ds.load()
        #expect(r.fromSnapshot)
        let file = ds.snapshotFile
        let other = file + ".other"
        try Data(repeating: 0x5A, count: 4096).write(to: URL(fileURLWithPath: other))
        #expect(rename(other, file) == 0)
        for f in ["title", "unit", "proposer"] {
            let a = store.cases.text(f), b = fresh.cases.text(f)
            #expect(a.codes.map { a.pool[$0] } == b.codes.map { b.pool[$0] }, "\(f)")
        }
        #expect(store.checkSnapshot() == nil)
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == Data(repeating: 0x5A, count: 4096), "the new file is left alone")
    }

    @Test func aPoolsHashTableIsCheckedOnlyByALookupAndBuiltAgainWhenDamaged() throws {
        let ds = try CachedDataset(cases: 3000, seed: 14)
        let (fresh, _) = try ds.load()
        let titles = fresh.cases.text("title").codes.map { fresh.cases.text("title").pool[$0] }
        let (at, length) = try sectionOffset(ds.snapshotFile, "pool3.slots")
        // A bit of an occupied slot's code: probes would land on another string.
        let fd = open(ds.snapshotFile, O_RDONLY)
        var slot = 0
        for k in 0..<(length / 8) {
            var v: UInt64 = 0
            _ = pread(fd, &v, 8, off_t(at + 8 * k))
            if v != 0 { slot = k; break }
        }
        close(fd)
        try flip(ds.snapshotFile, at: at + 8 * slot, bit: 0x02)
        let (store, r) = try ds.load()
        #expect(r.fromSnapshot)
        // Reading the strings (what `contains` does) does not read the table.
        let pool = store.cases.text("title").pool
        #expect(store.cases.text("title").codes.map { pool[$0] } == titles)
        _ = TextNeedle("学校").codes(in: pool)
        #expect(store.snapshotFault == nil)
        // A lookup checks it, finds it damaged, and works on a table built from the strings.
        for (row, t) in titles.enumerated() { #expect(pool.lookup(t) == store.cases.text("title").codes[row]) }
        #expect(store.snapshotFault?.en.contains("pool3.slots") == true)
    }
}
