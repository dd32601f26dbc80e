// Column snapshots: a loaded dataset's columns and string pools written to one file in the
// user's cache folder, which a later start on the same, unchanged files maps instead of parsing
// the CSVs. Format and checks: SnapshotFormat.swift; the loader's hooks: DatasetLoader.load.
//
// File layout (little-endian):
//   header, 64 bytes: magic "CASEQLS\0", format version (u32), 0 (u32), build id (u64),
//     directory offset (u64), directory length (u64), directory checksum (u64), file length (u64),
//     checksum of the 56 bytes before it (u64)
//   sections, each at a multiple of 64: "meta" (options, sources, report, pools' and tables'
//     layout, the latest date in the store), then
//     each pool's bytes, offsets and hash slots, then each stored column's arrays
//   directory: per section its name, offset, length and checksum (XXH64 over the XXH64s of its
//     4 MiB chunks, so a large section's check runs on all cores)
//
// A snapshot is used only when its header, directory and meta section are right, its format
// version and build id are this program's, and every source file has the identity it had
// (SourceIdentity); otherwise the files are loaded and the snapshot written anew. Every other
// section (a column, a pool's bytes, offsets or hash table, deferred cells) is checked against its
// checksum when first used, before any of its bytes are (SnapshotSections): a question reads only
// the sections it needs, so a cold start on a 2 GB snapshot does not read all of it first. A
// section found damaged then sets the store's `snapshotFault` and deletes the file; its cells
// read as empty, and the caller loads the files again (the shell does so and runs the statement
// again: Session.runStatement).

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum Snapshot {
    /// Bumped whenever the layout changes: a snapshot of another version is never read.
    static let formatVersion: UInt32 = 4
    static let magic: [UInt8] = Array("CASEQLS".utf8) + [0]
    static let headerSize = 64
    static let chunk = 4 << 20
    static let suffix = ".snapshot"
    /// Kept in the cache folder at most: older snapshots go first (the newest always stays).
    public static let keepCount = 8
    public static let keepBytes: Int64 = 8 << 30

    /// The cache folder: $XDG_CACHE_HOME/caseql, else ~/.cache/caseql; nil when neither is set.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let x = environment["XDG_CACHE_HOME"], x.hasPrefix("/") { return x + "/caseql" }
        if let h = environment["HOME"], !h.isEmpty { return h + "/.cache/caseql" }
        return nil
    }

    /// This program's build: the stored fields of every table (names and types) and the
    /// executable's size and modification time, so a rebuilt caseql never reads an older one's
    /// snapshot.
    static let buildID: UInt64 = {
        var w = MetaWriter()
        for specs in [Schema.cases, Schema.units, Schema.events] {
            for s in specs where !s.derived { w.string(s.name); w.string(s.type.name) }
            w.string("|")
        }
        var st = stat()
        if stat("/proc/self/exe", &st) == 0 || stat(CommandLine.arguments.first ?? "", &st) == 0 {
            w.int(Int(st.st_size))
            #if canImport(Darwin)
            w.int(st.st_mtimespec.tv_sec); w.int(st.st_mtimespec.tv_nsec)
            #else
            w.int(st.st_mtim.tv_sec); w.int(st.st_mtim.tv_nsec)
            #endif
        }
        return XXH64.hash(w.bytes)
    }()

    /// The snapshot file of a dataset loaded with these options.
    static func file(directory: String, dataset: String, options: LoadOptions) -> String {
        let key = XXH64.hash(Array((absolute(dataset) + "\u{0}" + optionsKey(options)).utf8))
        return directory + "/" + String(key, radix: 16) + suffix
    }

    /// The loading options that change what is loaded. (The as-of date does not: it is applied
    /// to questions, never to what is stored.)
    static func optionsKey(_ o: LoadOptions) -> String {
        "encoding=\(o.encoding?.rawValue ?? "detect");lenient=\(o.lenient)"
    }

    static func absolute(_ path: String) -> String {
        if let r = realpath(path, nil) { defer { free(r) }; return String(cString: r) }
        return path
    }

    // MARK: the cache folder

    /// The snapshots in a folder: path, bytes, last used; newest first.
    public static func list(directory: String) -> [(path: String, bytes: Int64, used: Date)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var out: [(path: String, bytes: Int64, used: Date)] = []
        for n in names where n.hasSuffix(suffix) {
            let p = directory + "/" + n
            var st = stat()
            guard stat(p, &st) == 0 else { continue }
            #if canImport(Darwin)
            let t = Double(st.st_mtimespec.tv_sec)
            #else
            let t = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
            #endif
            out.append((p, Int64(st.st_size), Date(timeIntervalSince1970: t)))
        }
        return out.sorted { $0.used > $1.used }
    }

    /// Deletes every snapshot (and any left half-written) in a folder; returns how many.
    @discardableResult
    public static func clear(directory: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var n = 0
        for name in names where name.hasSuffix(suffix) || name.contains(suffix + ".tmp") {
            if unlink(directory + "/" + name) == 0 && name.hasSuffix(suffix) { n += 1 }
        }
        return n
    }

    // MARK: reading

    /// What became of looking for a snapshot.
    enum Opened {
        case restored(CaseStore, LoadReport)
        case none
        /// There was one, unusable: why (it is replaced once the files are loaded).
        case rejected(Message)
    }

    typealias Section = SnapshotSections.Section

    /// The dataset's store from its snapshot, if there is a usable one. `sources` are the files'
    /// identities taken before anything else; `manifest` and `origin` are set on the store.
    static func read(directory: String, dataset: String, sources: [SourceIdentity], options: LoadOptions,
                     manifest: Manifest, origin: String) -> Opened {
        let path = file(directory: directory, dataset: dataset, options: options)
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return .none }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .none }
        let length = Int(st.st_size)
        guard length >= headerSize else { return .rejected(Message(en: "the snapshot is truncated", zh: "快照不完整")) }
        guard let map = SnapshotMapping(fd: fd, length: length) else { return .rejected(Message(en: "the snapshot cannot be mapped", zh: "无法映射快照")) }
        do {
            let sections = try directoryOf(map)
            guard let metaSection = sections["meta"] else { throw Bad("it has no meta section", zh: "缺少 meta 段") }
            let meta = copy(map.bytes(metaSection.offset, metaSection.length))
            defer { meta.deallocate() }
            guard checksum(meta) == metaSection.checksum else { throw Bad("its meta section is damaged", zh: "meta 段已损坏") }
            var r = MetaReader(meta)
            guard try r.string() == optionsKey(options) else { throw Bad("it was made with other options", zh: "生成时的选项不同") }
            let count = try r.int()
            var saved: [SourceIdentity] = []
            for _ in 0..<max(0, min(count, 16)) { saved.append(try SourceIdentity.read(&r)) }
            guard saved.count == sources.count else { throw Bad(Bad.otherFiles) }
            for (now, then) in zip(sources, saved) where now != then {
                throw Bad(now.role == then.role ? now.change(from: then) : Bad.otherFiles)
            }
            let checked = SnapshotSections(map: map, fd: fd, path: path, device: UInt64(st.st_dev), inode: UInt64(st.st_ino), sections: sections)
            let store = CaseStore(manifest: manifest)
            store.origin = origin
            store.snapshot = checked
            var report = try Trace.timed("restored the layout") { try restore(store, from: &r, checked: checked) }
            Trace.timed("linked") { store.link() }
            report.snapshot = Message(en: "read from the snapshot \(path)", zh: "读自快照 \(path)")
            // Last used: the cache keeps recently used snapshots longest.
            _ = utimensat(AT_FDCWD, path, nil, 0)
            return .restored(store, report)
        } catch let bad as Bad {
            return .rejected(Message(en: "the snapshot was not used: ", zh: "未使用快照：") + bad.why)
        } catch {
            return .rejected(Message(en: "the snapshot was not used: it is damaged (\(error))", zh: "未使用快照：快照已损坏（\(error)）"))
        }
    }

    /// Why a snapshot cannot be used, in both languages.
    struct Bad: Error {
        let why: Message
        init(_ why: Message) { self.why = why }
        init(_ en: String, zh: String) { why = Message(en: en, zh: zh) }
        static let otherFiles = Message(en: "the dataset's files are not the same ones", zh: "数据集的文件已不是原来那些")
    }

    /// A copy of mapped bytes, to deallocate: the header, directory and meta section are parsed
    /// from one, so that what is parsed is what was checked even if the file shrinks under the
    /// mapping meanwhile (its pages past the new end then read as zeros).
    static func copy(_ b: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let m = UnsafeMutableRawBufferPointer.allocate(byteCount: max(b.count, 1), alignment: 8)
        if b.count > 0 { m.copyMemory(from: b) }
        return UnsafeRawBufferPointer(rebasing: m[0..<b.count])
    }

    /// The header's and directory's checks, and the directory.
    static func directoryOf(_ map: SnapshotMapping) throws -> [String: Section] {
        let h = copy(map.bytes(0, headerSize))
        defer { h.deallocate() }
        guard Array(h[0..<8]) == magic else { throw Bad("it is not a caseql snapshot", zh: "不是 caseql 快照") }
        guard XXH64.hash(UnsafeRawBufferPointer(rebasing: h[0..<56])) == h.loadUnaligned(fromByteOffset: 56, as: UInt64.self) else {
            throw Bad("its header is damaged", zh: "文件头已损坏")
        }
        guard h.loadUnaligned(fromByteOffset: 8, as: UInt32.self) == formatVersion else { throw Bad("it is of another format version", zh: "格式版本不同") }
        guard h.loadUnaligned(fromByteOffset: 16, as: UInt64.self) == buildID else { throw Bad("another build of caseql made it", zh: "由另一版本的 caseql 生成") }
        let dirOffset = Int(h.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        let dirLength = Int(h.loadUnaligned(fromByteOffset: 32, as: UInt64.self))
        let dirSum = h.loadUnaligned(fromByteOffset: 40, as: UInt64.self)
        guard Int(h.loadUnaligned(fromByteOffset: 48, as: UInt64.self)) == map.length else { throw Bad("it is truncated", zh: "文件不完整") }
        guard dirOffset >= headerSize, dirLength >= 0, dirOffset <= map.length - dirLength else { throw Bad("it is truncated", zh: "文件不完整") }
        let dir = copy(map.bytes(dirOffset, dirLength))
        defer { dir.deallocate() }
        guard XXH64.hash(dir) == dirSum else { throw Bad("its directory is damaged", zh: "目录已损坏") }
        var r = MetaReader(dir)
        var out: [String: Section] = [:]
        for _ in 0..<(try r.int()) {
            let name = try r.string()
            let s = Section(offset: try r.int(), length: try r.int(), checksum: try r.u64())
            guard s.offset >= headerSize, s.length >= 0, s.offset <= dirOffset - s.length else { throw Bad("its directory is damaged", zh: "目录已损坏") }
            out[name] = s
        }
        return out
    }

    /// A section's checksum: XXH64 over the XXH64s of its 4 MiB chunks (seeded with the length).
    /// `parallel`: the chunks shared out among the cores, the kernel told to read the range ahead.
    static func checksum(_ data: UnsafeRawBufferPointer, parallel: Bool = false) -> UInt64 {
        let n = max(1, (data.count + chunk - 1) / chunk)
        var sums = [UInt64](repeating: 0, count: n)
        @Sendable func sum(_ k: Int, _ data: UnsafeRawBufferPointer) -> UInt64 {
            let at = k * chunk
            return XXH64.hash(UnsafeRawBufferPointer(rebasing: data[at..<min(at + chunk, data.count)]))
        }
        /// Maps a chunk's pages in one call rather than a page fault every 16 pages
        /// (MADV_POPULATE_READ, Linux 5.14; an older kernel refuses it and nothing changes).
        @Sendable func populate(_ k: Int, _ data: UnsafeRawBufferPointer) {
            guard let p = data.baseAddress else { return }
            let page = 4096, from = (Int(bitPattern: p) + k * chunk) & ~(page - 1)
            let to = Int(bitPattern: p) + min((k + 1) * chunk, data.count)
            _ = madvise(UnsafeMutableRawPointer(bitPattern: from), to - from, 22)
        }
        if parallel, let p = data.baseAddress, data.count > 0 {
            let page = Int(sysconf(Int32(_SC_PAGESIZE)))
            let start = Int(bitPattern: p) & ~(page - 1)
            _ = madvise(UnsafeMutableRawPointer(bitPattern: start), Int(bitPattern: p) + data.count - start, MADV_WILLNEED)
        }
        if parallel && n > 1 {
            // Each iteration writes its own element of `out`; `data` is only read.
            sums.withUnsafeMutableBufferPointer { out in
                nonisolated(unsafe) let out = out, data = data
                DispatchQueue.concurrentPerform(iterations: n) { k in populate(k, data); out[k] = sum(k, data) }
            }
        } else {
            for k in 0..<n { sums[k] = sum(k, data) }
        }
        return sums.withUnsafeBytes { XXH64.hash($0, seed: UInt64(data.count)) }
    }

    /// Column kinds as stored.
    enum Kind: Int {
        case textCodes, textPending, listValues, listPending, codes, bools, days, ints
    }

    static func pools(_ store: CaseStore) -> [StringPool] {
        [store.pools.ids, store.pools.units, store.pools.people, store.pools.titles, store.pools.other]
    }

    /// Fills a fresh store from the meta reader (placed after the sources) and the sections;
    /// returns the load report saved with it. Only the meta section has been checked: each
    /// column, pool and list of deferred cells checks its own sections before its first use, and
    /// holds empty cells instead if they fail (see SnapshotSections).
    static func restore(_ store: CaseStore, from r: inout MetaReader, checked: SnapshotSections) throws -> LoadReport {
        let map = checked.map
        // A section's place in the mapping, of the size the meta section says (its bytes unread).
        func section(_ name: String, _ bytes: Int) throws -> UnsafeMutableRawPointer {
            guard let s = checked.sections[name], s.length == bytes else { throw Bad("its section \(name) is missing or of the wrong size", zh: "\(name) 段缺失或大小不符") }
            return map.base + s.offset
        }
        /// Whether the sections are as written and `sound` (checked after them) holds.
        @Sendable func usable(_ names: [String], _ sound: () -> Bool = { true }) -> Bool {
            guard checked.check(names) else { return false }
            if sound() { return true }
            checked.fail(Message(en: "\(names[0]) does not fit its layout", zh: "\(names[0]) 与其布局不符"))
            return false
        }
        var report = LoadReport()
        for _ in 0..<(try r.int()) {
            let file = try r.string()
            guard let encoding = TextEncoding(rawValue: try r.string()) else { throw Bad("its report is damaged", zh: "加载报告已损坏") }
            let bom = try r.bool(), rows = try r.int()
            report.files.append(LoadReport.FileReport(file: file, encoding: encoding, hadBOM: bom, rows: rows, rejected: 0))
        }
        for _ in 0..<(try r.int()) { report.warnings.append(Message(en: try r.string(), zh: try r.string())) }
        for (i, pool) in pools(store).enumerated() {
            let count = try r.int(), byteCount = try r.int(), slotCount = try r.int()
            guard count >= 1, byteCount >= 0, slotCount > 0, slotCount & (slotCount - 1) == 0, slotCount >= 2 * count else {
                throw Bad("its pool \(i) is damaged", zh: "字符串池 \(i) 已损坏")
            }
            let names = ["pool\(i).offsets", "pool\(i).bytes"]
            nonisolated(unsafe) let offsets = try section(names[0], (count + 1) * 4).assumingMemoryBound(to: UInt32.self)
            pool.adopt(bytes: try section(names[1], byteCount).assumingMemoryBound(to: UInt8.self), byteCount: byteCount,
                       offsets: offsets, offsetCount: count + 1,
                       slots: try section("pool\(i).slots", slotCount * 8).assumingMemoryBound(to: UInt64.self),
                       slotCount: slotCount, owner: map,
                       check: { usable(names) { offsets[0] == 0 && Int(offsets[count]) == byteCount } },
                       checkSlots: { usable(["pool\(i).slots"]) })
        }
        for table in [store.cases, store.units, store.events] {
            guard try r.string() == table.name else { throw Bad("its tables are not this program's", zh: "表结构不是本程序的") }
            let n = try r.int()
            for _ in 0..<(try r.int()) {
                let header = try r.string()
                let isList = try r.string() == FieldType.textList.name
                guard table.storedColumn(header) == nil else { throw Bad("the fields of \(table.name) differ", zh: "\(Schema.tableLabels[table.name] ?? table.name)的字段不同") }
                table.addExtraField(header, type: isList ? .textList : .text)
            }
            var absent = Set<String>()
            for _ in 0..<(try r.int()) { absent.insert(try r.string()) }
            table.absentFields = absent
            let specs = table.storedSpecs
            guard try r.int() == specs.count else { throw Bad("the fields of \(table.name) differ", zh: "\(Schema.tableLabels[table.name] ?? table.name)的字段不同") }
            table.count = n
            for spec in specs {
                guard try r.string() == spec.name, let kind = Kind(rawValue: try r.int()) else {
                    throw Bad("the fields of \(table.name) differ", zh: "\(Schema.tableLabels[table.name] ?? table.name)的字段不同")
                }
                let entries = try r.int(), pendingBytes = try r.int()
                let key = "\(table.name).\(spec.name)"
                guard let column = table.storedColumn(spec.name) else { throw Bad("\(key) is missing", zh: "\(key) 缺失") }
                // Each column is copied out of the mapping the first time it is asked for, its
                // sections checked first; damaged, it is filled with empty cells. A text or list
                // column checks its pool then too, so that a result's strings, read while it is
                // printed, come from a pool checked before the first row is shown.
                switch (kind, column) {
                case (.textCodes, .text(let c)):
                    let p = try section(key, n * 4)
                    table.deferFill(spec.name) {
                        c.codes = (usable([key]) ? copied(p.assumingMemoryBound(to: UInt32.self), n, checked) : nil)
                            ?? Array(repeating: 0, count: n)
                        c.pool.ensureChecked()
                    }
                case (.textPending, .text(let c)):
                    c.pending = try pendingCells(key, entries, pendingBytes, section, map, usable)
                    store.pools.register(column)
                case (.listValues, .list(let c)), (.listPending, .list(let c)):
                    let starts = try section(key + ".starts", (n + 1) * 4).assumingMemoryBound(to: UInt32.self)
                    let startsSound: () -> Bool = { starts[0] == 0 && Int(starts[n]) == entries }
                    if kind == .listPending {
                        c.pending = try pendingCells(key, entries, pendingBytes, section, map, usable)
                        store.pools.register(column)
                        table.deferFill(spec.name) {
                            if usable([key + ".starts"], startsSound), let s = copied(starts, n + 1, checked) {
                                c.starts = s
                            } else {
                                // Every row empty, and the deferred cells none (they may be pending still).
                                c.starts = Array(repeating: 0, count: n + 1)
                                if let p = c.pending { p.truncate(to: 0) }
                            }
                        }
                    } else {
                        let values = try section(key, entries * 4).assumingMemoryBound(to: UInt32.self)
                        table.deferFill(spec.name) {
                            if usable([key + ".starts", key], startsSound),
                               let s = copied(starts, n + 1, checked), let v = copied(values, entries, checked) {
                                c.starts = s
                                c.values = v
                            } else {
                                c.starts = Array(repeating: 0, count: n + 1)
                                c.values = []
                            }
                            c.pool.ensureChecked()
                        }
                    }
                case (.codes, .code(let c)):
                    let p = try section(key, n).assumingMemoryBound(to: UInt8.self)
                    table.deferFill(spec.name) {
                        c.codes = (usable([key]) ? copied(p, n, checked) : nil) ?? Array(repeating: EnumInfo.none, count: n)
                    }
                case (.bools, .bool(let c)):
                    let p = try section(key, n).assumingMemoryBound(to: UInt8.self)
                    table.deferFill(spec.name) {
                        let values: [Bool] = Array(unsafeUninitializedCapacity: n) { b, k in
                            if n > 0 { UnsafeMutableRawPointer(b.baseAddress!).copyMemory(from: p, byteCount: n) }
                            k = n
                        }
                        // The copy is checked (only 0 and 1 are Bools): it is what is kept.
                        let sound = values.withUnsafeBytes { v in v.allSatisfy { $0 <= 1 } }
                        guard usable([key], { sound }), checked.intact else {
                            c.values = Array(repeating: false, count: n)
                            return
                        }
                        c.values = values
                    }
                case (.days, .day(let c)):
                    let p = try section(key, n * 4)
                    table.deferFill(spec.name) {
                        c.values = (usable([key]) ? copied(p.assumingMemoryBound(to: Int32.self), n, checked) : nil)
                            ?? Array(repeating: Day.none, count: n)
                    }
                case (.ints, .int(let c)):
                    let p = try section(key, n * 4)
                    table.deferFill(spec.name) {
                        c.values = (usable([key]) ? copied(p.assumingMemoryBound(to: Int32.self), n, checked) : nil)
                            ?? Array(repeating: Day.none, count: n)
                    }
                default:
                    throw Bad("the fields of \(table.name) differ", zh: "\(Schema.tableLabels[table.name] ?? table.name)的字段不同")
                }
            }
        }
        let latest = try r.int()
        guard let day = Int32(exactly: latest) else { throw Bad("its meta section is damaged", zh: "meta 段已损坏") }
        store.snapshotLatestDate = day
        return report
    }

    /// A column's values copied out of the mapping into an array of its own. (Asking for huge
    /// pages for it was tried: 2× faster to 3× slower from run to run on this machine, as the
    /// kernel compacts memory to find them.)
    /// Nil when the file shrank before the copy was done (`checked.intact`): the copy may then
    /// hold zeros where the values were, and a list's row starts would not ascend.
    static func copied<T>(_ p: UnsafePointer<T>, _ n: Int, _ checked: SnapshotSections) -> [T]? {
        let values: [T] = Trace.timed("copied \(n * MemoryLayout<T>.stride) bytes") {
            Array(unsafeUninitializedCapacity: n) { b, k in
                if let to = b.baseAddress, n > 0 {
                    UnsafeMutableRawPointer(to).copyMemory(from: p, byteCount: n * MemoryLayout<T>.stride)
                }
                k = n
            }
        }
        return checked.intact ? values : nil
    }
    static func copied<T>(_ p: UnsafeMutablePointer<T>, _ n: Int, _ checked: SnapshotSections) -> [T]? {
        copied(UnsafePointer(p), n, checked)
    }

    /// A column's deferred cells in the mapping, their sections checked when first materialized.
    static func pendingCells(_ key: String, _ count: Int, _ byteCount: Int,
                             _ section: (String, Int) throws -> UnsafeMutableRawPointer, _ map: SnapshotMapping,
                             _ usable: @escaping @Sendable ([String], () -> Bool) -> Bool) throws -> PendingCells {
        nonisolated(unsafe) let ends = try section(key + ".ends", count * 4).assumingMemoryBound(to: UInt32.self)
        let bytes = try section(key + ".bytes", byteCount).assumingMemoryBound(to: UInt8.self)
        return PendingCells(bytes: bytes, byteCount: byteCount, ends: ends, count: count, owner: map) {
            usable([key + ".ends", key + ".bytes"]) { count == 0 || Int(ends[count - 1]) == byteCount }
        }
    }

    // MARK: writing

    /// One section's bytes, kept alive by what holds them while the file is written.
    struct Payload {
        var name: String
        var bytes: UnsafeRawBufferPointer
        var owner: Any
    }

    /// Writes the store's snapshot (after a load with no rejected rows). Returns what was done,
    /// in words; failures (no room, no folder) leave no file and are only reported.
    static func save(_ store: CaseStore, report: LoadReport, directory: String, dataset: String,
                     sources: [SourceIdentity], options: LoadOptions) -> Message {
        var meta = MetaWriter()
        meta.string(optionsKey(options))
        meta.int(sources.count)
        for s in sources { s.write(&meta) }
        meta.int(report.files.count)
        for f in report.files { meta.string(f.file); meta.string(f.encoding.rawValue); meta.bool(f.hadBOM); meta.int(f.rows) }
        meta.int(report.warnings.count)
        for w in report.warnings { meta.string(w.en); meta.string(w.zh) }
        var payloads: [Payload] = []
        func array<T>(_ name: String, _ a: [T]) {
            // The array is kept in `owner`, so its storage outlives the write.
            let p = a.withUnsafeBytes { $0 }
            payloads.append(Payload(name: name, bytes: p, owner: a))
        }
        for (i, pool) in pools(store).enumerated() {
            pool.withStorage { bytes, offsets, slots in
                meta.int(offsets.count / 4 - 1); meta.int(bytes.count); meta.int(slots.count / 8)
                payloads.append(Payload(name: "pool\(i).bytes", bytes: bytes, owner: pool))
                payloads.append(Payload(name: "pool\(i).offsets", bytes: offsets, owner: pool))
                payloads.append(Payload(name: "pool\(i).slots", bytes: slots, owner: pool))
            }
        }
        for table in [store.cases, store.units, store.events] {
            meta.string(table.name)
            meta.int(table.count)
            let extras = table.specs.filter(\.extra)
            meta.int(extras.count)
            for e in extras { meta.string(e.name); meta.string(e.type.name) }
            meta.int(table.absentFields.count)
            for a in table.absentFields.sorted() { meta.string(a) }
            let specs = table.storedSpecs
            meta.int(specs.count)
            for spec in specs {
                let key = "\(table.name).\(spec.name)"
                guard let column = table.storedColumn(spec.name) else { return Message(en: "no snapshot: \(key) is missing", zh: "没有快照：缺少 \(key)") }
                meta.string(spec.name)
                func pending(_ p: PendingCells) {
                    meta.int(p.count); meta.int(p.bytes.count)
                    payloads.append(Payload(name: key + ".ends", bytes: UnsafeRawBufferPointer(start: p.ends.base, count: p.count * 4), owner: p))
                    payloads.append(Payload(name: key + ".bytes", bytes: UnsafeRawBufferPointer(start: p.bytes.base, count: p.bytes.count), owner: p))
                }
                switch column {
                case .text(let c):
                    if let p = c.pending {
                        meta.int(Kind.textPending.rawValue); pending(p)
                    } else {
                        guard c.codes.count == table.count else { return Message(en: "no snapshot: \(key) has \(c.codes.count) rows of \(table.count)", zh: "没有快照：\(key) 只有 \(c.codes.count) 行，应为 \(table.count) 行") }
                        meta.int(Kind.textCodes.rawValue); meta.int(0); meta.int(0); array(key, c.codes)
                    }
                case .list(let c):
                    guard c.starts.count == table.count + 1 else { return Message(en: "no snapshot: \(key) has \(c.starts.count - 1) rows of \(table.count)", zh: "没有快照：\(key) 只有 \(c.starts.count - 1) 行，应为 \(table.count) 行") }
                    if let p = c.pending {
                        meta.int(Kind.listPending.rawValue); pending(p)
                    } else {
                        meta.int(Kind.listValues.rawValue); meta.int(c.values.count); meta.int(0); array(key, c.values)
                    }
                    array(key + ".starts", c.starts)
                case .code(let c): meta.int(Kind.codes.rawValue); meta.int(0); meta.int(0); array(key, c.codes)
                case .bool(let c): meta.int(Kind.bools.rawValue); meta.int(0); meta.int(0); array(key, c.values)
                case .day(let c): meta.int(Kind.days.rawValue); meta.int(0); meta.int(0); array(key, c.values)
                case .int(let c): meta.int(Kind.ints.rawValue); meta.int(0); meta.int(0); array(key, c.values)
                case .real: return .same("no snapshot: \(key) is a result's column, which no table of a store holds")
                }
            }
        }
        meta.int(Int(store.latestDate))
        let metaBytes = meta.bytes
        payloads.insert(Payload(name: "meta", bytes: metaBytes.withUnsafeBytes { $0 }, owner: metaBytes), at: 0)

        let total = payloads.reduce(headerSize) { $0 + $1.bytes.count + 64 } + 4096
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            return Message(en: "no snapshot: cannot make the cache folder \(directory)", zh: "没有快照：无法建立缓存文件夹 \(directory)")
        }
        var fs = statvfs()
        if statvfs(directory, &fs) == 0 && Int64(fs.f_bavail) * Int64(fs.f_frsize) < Int64(total) * 2 + (256 << 20) {
            return Message(en: "no snapshot: too little free space in \(directory) for \(total >> 20) MiB", zh: "没有快照：\(directory) 的剩余空间不足 \(total >> 20) MiB")
        }
        let path = file(directory: directory, dataset: dataset, options: options)
        let temp = path + ".tmp\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return Message(en: "no snapshot: cannot write in \(directory)", zh: "没有快照：无法在 \(directory) 中写入") }
        var ok = true
        var offset = headerSize
        var dir = MetaWriter()
        dir.int(payloads.count)
        func put(_ b: UnsafeRawBufferPointer, at: Int) -> Bool {
            var done = 0
            while done < b.count {
                let n = pwrite(fd, b.baseAddress! + done, min(b.count - done, 1 << 30), off_t(at + done))
                if n <= 0 { return false }
                done += n
            }
            return true
        }
        for p in payloads where ok {
            offset = (offset + 63) & ~63
            ok = put(p.bytes, at: offset)
            dir.string(p.name); dir.int(offset); dir.int(p.bytes.count); dir.u64(checksum(p.bytes))
            offset += p.bytes.count
        }
        withExtendedLifetime(payloads) {}
        offset = (offset + 63) & ~63
        let dirOffset = offset
        let dirBytes = dir.bytes
        ok = ok && dirBytes.withUnsafeBytes { put($0, at: dirOffset) }
        let fileLength = dirOffset + dirBytes.count
        var header = MetaWriter()
        header.bytes = magic
        header.bytes += withUnsafeBytes(of: formatVersion.littleEndian) { Array($0) } + [0, 0, 0, 0]
        header.u64(buildID)
        header.int(dirOffset); header.int(dirBytes.count); header.u64(XXH64.hash(dirBytes)); header.int(fileLength)
        header.u64(XXH64.hash(header.bytes))
        ok = ok && header.bytes.withUnsafeBytes { put($0, at: 0) }
        ok = ok && ftruncate(fd, off_t(fileLength)) == 0
        ok = close(fd) == 0 && ok
        guard ok, rename(temp, path) == 0 else {
            unlink(temp)
            return Message(en: "no snapshot: writing \(path) failed", zh: "没有快照：写入 \(path) 失败")
        }
        evict(directory: directory, keeping: path)
        return Message(en: "saved the snapshot \(path) (\(fileLength >> 20) MiB)", zh: "已保存快照 \(path)（\(fileLength >> 20) MiB）")
    }

    /// Deletes the least recently used snapshots beyond `keepCount` or `keepBytes` in all.
    static func evict(directory: String, keeping: String) {
        var total: Int64 = 0, kept = 0
        for s in list(directory: directory) {
            if s.path == keeping || (kept < keepCount && total + s.bytes <= keepBytes) {
                total += s.bytes; kept += 1
            } else {
                unlink(s.path)
            }
        }
    }
}
