import Foundation
import Synchronization
import Testing
@testable import CaseStore
#if canImport(Glibc)
import Glibc
#endif

// Column snapshots (Snapshot.swift): a reopened dataset answers as a fresh parse does; any change
// of a source file, another version, or a damaged snapshot falls back to the files and rebuilds.

/// A generated dataset and a cache folder of its own.
final class CachedDataset {
    let data: TempDataset
    let cache: String
    var path: String { data.path }

    init(cases: Int = 2000, seed: UInt64 = 6) throws {
        data = try TempDataset([:])
        try DatasetGenerator(cases: cases, seed: seed).write(to: data.path)
        cache = NSTemporaryDirectory() + "caseql-cache-" + UUID().uuidString
    }
    deinit { try? FileManager.default.removeItem(atPath: cache) }

    func options(_ base: LoadOptions = LoadOptions()) -> LoadOptions {
        var o = base
        o.cacheDirectory = cache
        return o
    }
    func load(_ base: LoadOptions = LoadOptions()) throws -> (CaseStore, LoadReport) {
        try DatasetLoader.load(path, options: options(base))
    }
    /// The only snapshot file in the cache folder.
    var snapshotFile: String {
        let all = Snapshot.list(directory: cache)
        precondition(all.count == 1, "expected one snapshot, found \(all.count)")
        return all[0].path
    }
}

/// Everything a store holds that a question can see: every cell of every table, the fields and
/// absent fields, the events of each case, and the pools' lookups.
func fullDump(_ store: CaseStore) -> [String] {
    var out = dump(store)
    for t in [store.cases, store.units, store.events] {
        out.append("\(t.name): \(t.count) rows; " + t.specs.map(\.name).joined(separator: ",") + "; absent " + t.absentFields.sorted().joined(separator: ","))
    }
    for row in 0..<store.cases.count {
        out.append(store.events(ofCase: row).map(String.init).joined(separator: ","))
    }
    out.append("\(store.row(ofID: store.cases.text("id")[store.cases.count - 1]) ?? -1)")
    return out
}

func flip(_ path: String, at offset: Int, bit: UInt8 = 0x10) throws {
    let fd = open(path, O_RDWR)
    try #require(fd >= 0)
    defer { close(fd) }
    var b: UInt8 = 0
    #expect(pread(fd, &b, 1, off_t(offset)) == 1)
    b ^= bit
    #expect(pwrite(fd, &b, 1, off_t(offset)) == 1)
}

func sectionOffset(_ snapshot: String, _ name: String) throws -> (Int, Int) {
    let fd = open(snapshot, O_RDONLY)
    defer { close(fd) }
    var st = stat()
    fstat(fd, &st)
    let map = try #require(SnapshotMapping(fd: fd, length: Int(st.st_size)))
    let s = try #require(try Snapshot.directoryOf(map)[name])
    return (s.offset, s.length)
}

@Suite(.serialized) struct SnapshotTests {
    @Test func xxh64KnownValues() {
        // Reference values of XXH64 with seed 0 (xxhsum -H64).
        #expect(XXH64.hash([UInt8]()) == 0xEF46_DB37_51D8_E999)
        #expect(XXH64.hash(Array("a".utf8)) == 0xD24E_C4F1_A98C_6E5B)
        #expect(XXH64.hash(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
    }

    @Test func reopeningReadsTheSnapshotAndAnswersAsAParse() throws {
        let ds = try CachedDataset()
        let fresh = try DatasetLoader.load(ds.path).0
        let (first, r1) = try ds.load()
        #expect(!r1.fromSnapshot && r1.snapshot?.en.hasPrefix("saved the snapshot") == true, "\(r1.snapshot?.en ?? "nil")")
        #expect(ds.snapshotFile.hasPrefix(ds.cache + "/"))
        // Never beside the data.
        #expect(try FileManager.default.contentsOfDirectory(atPath: ds.path).sorted() == ["cases.csv", "events.csv", "manifest.json", "units.csv"])
        let (again, r2) = try ds.load()
        #expect(r2.fromSnapshot, "\(r2.snapshot?.en ?? "nil")")
        #expect(r2.files.map(\.rows) == r1.files.map(\.rows) && r2.warnings == r1.warnings)
        #expect(again.manifest == fresh.manifest)
        #expect(fullDump(again) == fullDump(fresh))
        #expect(fullDump(first) == fullDump(fresh))
        // Saved with the snapshot, so that an as-of date need not read four date columns.
        #expect(again.snapshotLatestDate == fresh.latestDate && again.latestDate == fresh.latestDate && fresh.latestDate > Int32.min)
        // The reopened store grows as a parsed one does: a new string in a mapped pool.
        let pool = again.cases.text("title").pool
        let before = pool.count
        let code = pool.intern("一个新的标题")
        #expect(Int(code) == before && pool[code] == "一个新的标题" && pool.lookup("一个新的标题") == code)
        #expect(pool.lookup(fresh.cases.text("title")[7]) == again.cases.text("title").codes[7])
    }

    @Test func twoHalvesExtraColumnsAndAbsentFieldsSurvive() throws {
        // A file of the project's own making: an unknown column, fields missing, CRLF, a BOM.
        var csv = "\u{FEFF}id,kind,title,unit,assigned_on,status,区县\r\n"
        for i in 0..<5000 {
            csv += "X-\(i),\(i % 3 == 0 ? "proposal" : "suggestion"),\"标题 \(i * 7919 % 5000), 其\",单位\(i % 37),2020-0\(1 + i % 9)-1\(i % 10),\(i % 4 == 0 ? "closed" : "assigned"),区\(i % 5)\r\n"
        }
        let data = try TempDataset(["cases.csv": csv])
        let cache = NSTemporaryDirectory() + "caseql-cache-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: cache) }
        var options = LoadOptions()
        options.parallelThreshold = 0
        let fresh = try DatasetLoader.load(data.path + "/cases.csv", options: options).0
        options.cacheDirectory = cache
        _ = try DatasetLoader.load(data.path + "/cases.csv", options: options)
        let (again, r) = try DatasetLoader.load(data.path + "/cases.csv", options: options)
        #expect(r.fromSnapshot && r.files.first?.hadBOM == true)
        // Whatever fields the loader made of the file (extra columns, fields it lacked) come back.
        #expect(again.cases.specs.map(\.name) == fresh.cases.specs.map(\.name))
        #expect(again.cases.specs.map(\.extra) == fresh.cases.specs.map(\.extra))
        #expect(again.cases.absentFields == fresh.cases.absentFields)
        #expect(fullDump(again) == fullDump(fresh))
    }

    @Test func aChangedSourceIsReloaded() throws {
        let ds = try CachedDataset()
        _ = try ds.load()
        let cases = ds.path + "/cases.csv"
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: cases)))

        // Same size, one byte changed, the modification time put back as it was.
        var st = stat()
        stat(cases, &st)
        let pattern = Array(",A,new\n".utf8)   // a resolution class, A to B
        let at = try #require((0...(bytes.count - pattern.count)).last { bytes[$0..<($0 + pattern.count)].elementsEqual(pattern) })
        bytes[at + 1] = UInt8(ascii: "B")
        try Data(bytes).write(to: URL(fileURLWithPath: cases))
        var times = [st.st_atim, st.st_mtim]
        #expect(utimensat(AT_FDCWD, cases, &times, 0) == 0)
        var st2 = stat()
        stat(cases, &st2)
        #expect(st2.st_size == st.st_size && st2.st_mtim.tv_sec == st.st_mtim.tv_sec && st2.st_mtim.tv_nsec == st.st_mtim.tv_nsec)
        let (changed, r) = try ds.load()
        #expect(!r.fromSnapshot && r.snapshot?.en.contains("cases.csv was modified") == true, "\(r.snapshot?.en ?? "nil")")
        #expect(fullDump(changed) == fullDump(try DatasetLoader.load(ds.path).0))
        #expect(try ds.load().1.fromSnapshot)   // rebuilt

        // A row more.
        bytes += Array("EXTRA-1,proposal,city,false,2020,新的提案,,,,urban,城建局,,false,,2020-04-01,,,,,assigned,,,,\n".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: cases))
        let (grown, r2) = try ds.load()
        #expect(!r2.fromSnapshot && grown.row(ofID: "EXTRA-1") != nil, "\(r2.snapshot?.en ?? "nil")")

        // The file replaced by another of the same bytes (a new inode).
        try Data(bytes).write(to: URL(fileURLWithPath: ds.path + "/new.csv"))
        #expect(rename(ds.path + "/new.csv", cases) == 0)
        let r3 = try ds.load().1
        #expect(!r3.fromSnapshot && r3.snapshot?.en.contains("replaced") == true, "\(r3.snapshot?.en ?? "nil")")

        // A file gone from the folder.
        #expect(try ds.load().1.fromSnapshot)
        try FileManager.default.removeItem(atPath: ds.path + "/units.csv")
        let (fewer, r4) = try ds.load()
        #expect(!r4.fromSnapshot && fewer.units.count == 0)
    }

    @Test func aDamagedSnapshotIsRebuilt() throws {
        let ds = try CachedDataset()
        let fresh = fullDump(try DatasetLoader.load(ds.path).0)
        _ = try ds.load()
        let file = ds.snapshotFile
        let good = try Data(contentsOf: URL(fileURLWithPath: file))
        let (titles, titlesLength) = try sectionOffset(file, "pool3.bytes")
        let (status, _) = try sectionOffset(file, "cases.status")
        let (dir, _) = (Int(good.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 24, as: UInt64.self) }), 0)
        let damages: [(String, (String) throws -> Void)] = [
            ("truncated to half", { try Data(good.prefix(good.count / 2)).write(to: URL(fileURLWithPath: $0)) }),
            ("truncated to 10 bytes", { try Data(good.prefix(10)).write(to: URL(fileURLWithPath: $0)) }),
            ("emptied", { try Data().write(to: URL(fileURLWithPath: $0)) }),
            ("a bit of the magic", { try flip($0, at: 2) }),
            ("a bit of the header", { try flip($0, at: 30) }),
            ("a bit of the directory", { try flip($0, at: dir + 5) }),
            ("a longer file", { try Data(good + [0]).write(to: URL(fileURLWithPath: $0)) }),
            ("another format version", { path in
                // The version changed and the header's checksum made right again: only the version differs.
                var b = [UInt8](good)
                b[8] &+= 1
                let sum = b.withUnsafeBytes { XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[0..<56])) }
                withUnsafeBytes(of: sum) { for k in 0..<8 { b[56 + k] = $0[k] } }
                try Data(b).write(to: URL(fileURLWithPath: path))
            }),
            ("another build", { path in
                var b = [UInt8](good)
                b[16] ^= 0xFF
                let sum = b.withUnsafeBytes { XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[0..<56])) }
                withUnsafeBytes(of: sum) { for k in 0..<8 { b[56 + k] = $0[k] } }
                try Data(b).write(to: URL(fileURLWithPath: path))
            }),
        ]
        for (what, damage) in damages {
            try damage(file)
            let (store, r) = try ds.load()
            #expect(!r.fromSnapshot, "\(what): used anyway")
            #expect(r.snapshot?.en.contains("not used") == true || r.snapshot?.en.contains("truncated") == true, "\(what): \(r.snapshot?.en ?? "nil")")
            let same = fullDump(store) == fresh
            #expect(same, "\(what): answers differ")
            let (again, r2) = try ds.load()
            #expect(r2.fromSnapshot, "\(what): not rebuilt: \(r2.snapshot?.en ?? "nil")")
            let sameAgain = fullDump(again) == fresh
            #expect(sameAgain, "\(what): rebuilt answers differ")
            #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == good, "\(what): rebuilt differently")
        }

        // A damaged section (not the header, directory or meta section) is found when first used,
        // not at open: the store is read from the snapshot, and the damage shows when a question
        // reads that section.
        let sectionDamages: [(String, String, Int)] = [
            ("a bit of a title", "pool3.bytes", titles + titlesLength / 2),
            ("a bit of the status column", "cases.status", status + 3),
        ]
        for (what, name, at) in sectionDamages {
            try flip(file, at: at, bit: 0x01)
            let (store, r) = try ds.load()
            #expect(r.fromSnapshot && store.snapshotFault == nil, "\(what): \(r.snapshot?.en ?? "nil")")
            _ = fullDump(store)   // reads every section
            let fault = store.snapshotFault?.en ?? ""
            #expect(fault.contains("its section \(name) does not match its checksum"), "\(what): \(fault)")
            #expect(!FileManager.default.fileExists(atPath: file), "\(what): the damaged snapshot is kept")
            let (reloaded, r2) = try ds.load()
            #expect(!r2.fromSnapshot && r2.snapshot?.en.hasPrefix("saved the snapshot") == true, "\(what): \(r2.snapshot?.en ?? "nil")")
            let same = fullDump(reloaded) == fresh
            #expect(same, "\(what): answers differ after loading the files")
            #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == good, "\(what): rebuilt differently")
        }

        // A section the load itself reads (current deadlines are settled from the deadlines):
        // found while loading, which then parses the files.
        let (deadline, deadlineLength) = try sectionOffset(file, "cases.deadline")
        try flip(file, at: deadline + deadlineLength / 3, bit: 0x01)
        let (store, r) = try ds.load()
        #expect(!r.fromSnapshot && r.snapshot?.en.contains("its section cases.deadline does not match its checksum") == true, "\(r.snapshot?.en ?? "nil")")
        #expect(store.snapshotFault == nil)
        let same = fullDump(store) == fresh
        #expect(same, "a bit of the deadlines: answers differ")
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == good, "a bit of the deadlines: rebuilt differently")
    }

    @Test func aDamagedSectionIsFoundOnlyWhenUsedAndItsCellsReadEmpty() throws {
        // Cases only (no events to link), more than 65,536 rows.
        let ds = try CachedDataset(cases: 70_000, seed: 9)
        try FileManager.default.removeItem(atPath: ds.path + "/events.csv")
        let (fresh, _) = try ds.load()
        let file = ds.snapshotFile
        let (at, length) = try sectionOffset(file, "cases.satisfaction")
        try flip(file, at: at + length - 1, bit: 0x02)
        let (store, r) = try ds.load()
        #expect(r.fromSnapshot && store.snapshotFault == nil)
        // Other columns answer and find nothing wrong.
        #expect(store.cases.code("status").codes == fresh.cases.code("status").codes)
        #expect(store.cases.text("unit").codes.map { store.cases.text("unit").pool[$0] } == fresh.cases.text("unit").codes.map { fresh.cases.text("unit").pool[$0] })
        #expect(store.snapshotFault == nil && FileManager.default.fileExists(atPath: file))
        // The damaged one: empty cells, never the flipped bytes, and the fault set.
        #expect(store.cases.code("satisfaction").codes.allSatisfy { $0 == EnumInfo.none })
        #expect(store.snapshotFault?.en.contains("cases.satisfaction") == true)
        #expect(store.checkSnapshot() != nil && !FileManager.default.fileExists(atPath: file))
    }

    @Test func sectionsAreCheckedOnceWhenManyThreadsFirstUseThem() throws {
        // The executor reads columns and pools from several threads: each section's check and
        // copy runs once, and every thread sees the checked cells (run under ThreadSanitizer by
        // scripts/tsan.sh). One column, which loading does not read, is damaged: every thread
        // that reads it sees empty cells.
        let ds = try CachedDataset(cases: 3000, seed: 4)
        let (fresh, _) = try ds.load()
        let (at, length) = try sectionOffset(ds.snapshotFile, "cases.assigned_on")
        try flip(ds.snapshotFile, at: at + length / 2, bit: 0x04)
        for _ in 0..<3 {
            let (store, r) = try ds.load()
            #expect(r.fromSnapshot)
            let fields = ["title", "unit", "proposer", "cosigners", "id", "status", "key_supervised", "assigned_on", "deadline", "co_units"]
            let threads = 8
            let seen = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: threads) { k in
                // Built without a mutable local: ThreadSanitizer reported one such array, on a
                // worker's stack, as modified by another worker (never shared: the stack's memory
                // reused by libdispatch's threads).
                let out: [String] = (0..<fields.count).map { j in
                    let f = fields[(j + k) % fields.count]
                    defer { _ = store.pools.titles.lookup("关于\(k)的提案") }
                    switch store.cases.column(f) {
                    case .text(let c)?: return "\(f) \(c.codes.map { c.pool[$0] }.joined(separator: "|").hashValue)"
                    case .list(let c)?: return "\(f) \((0..<store.cases.count).map { c[$0].joined(separator: ";") }.joined(separator: "|").hashValue)"
                    case .code(let c)?: return "\(f) \(c.codes)"
                    case .bool(let c)?: return "\(f) \(c.values)"
                    case .day(let c)?: return "\(f) \(c.values)"
                    default: return "\(f) ?"
                    }
                }
                let sorted = out.sorted()
                seen.withLock { $0.append(sorted.joined(separator: "\n")) }
            }
            let all = seen.withLock { $0 }
            #expect(all.count == threads && Set(all).count == 1, "threads saw different cells")
            #expect(store.cases.day("assigned_on").values.allSatisfy { $0 == Day.none })
            #expect(store.cases.text("title").codes.map { store.cases.text("title").pool[$0] } == fresh.cases.text("title").codes.map { fresh.cases.text("title").pool[$0] })
            #expect(store.snapshotFault?.en.contains("cases.assigned_on") == true)
            // Loading again parses the files (the damaged snapshot is gone) and writes a good one;
            // damage that again for the next round.
            #expect(try !ds.load().1.fromSnapshot)
            let (at2, length2) = try sectionOffset(ds.snapshotFile, "cases.assigned_on")
            try flip(ds.snapshotFile, at: at2 + length2 / 2, bit: 0x04)
        }
    }

    @Test func optionsHaveSnapshotsOfTheirOwnAndRejectsHaveNone() throws {
        let ds = try CachedDataset(cases: 300)
        _ = try ds.load()
        var gb = LoadOptions()
        gb.encoding = .utf8
        #expect(!(try ds.load(gb).1.fromSnapshot))
        #expect(Snapshot.list(directory: ds.cache).count == 2)
        #expect(try ds.load(gb).1.fromSnapshot && ds.load().1.fromSnapshot)

        let bad = try TempDataset(["cases.csv": header + goodRow1 + "C-9,nonsense,city,false,2020,t,,,,urban,城建局,,false,,2020-04-01,,,,,assigned,,,,\n"])
        var lenient = LoadOptions(lenient: true)
        lenient.cacheDirectory = ds.cache
        lenient.rejectsDirectory = ds.cache
        let r = try DatasetLoader.load(bad.path, options: lenient).1
        #expect(r.rejectedTotal == 1 && r.snapshot?.en == "no snapshot: rows were rejected")
        #expect(!(try DatasetLoader.load(bad.path, options: lenient).1.fromSnapshot))

        #expect(Snapshot.clear(directory: ds.cache) == 2)
        #expect(Snapshot.list(directory: ds.cache).isEmpty)
        #expect(!(try ds.load().1.fromSnapshot))
    }

    @Test func theCacheFolderFollowsXDG() {
        #expect(Snapshot.defaultDirectory(environment: ["XDG_CACHE_HOME": "/x/c", "HOME": "/h"]) == "/x/c/caseql")
        #expect(Snapshot.defaultDirectory(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/h"]) == "/h/.cache/caseql")
        #expect(Snapshot.defaultDirectory(environment: [:]) == nil)
    }
}
