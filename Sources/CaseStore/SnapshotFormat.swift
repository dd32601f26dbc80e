// The pieces of a column snapshot's file (Snapshot.swift): the XXH64 checksum, a small binary
// encoding for its metadata, the identity of a source file, and the file's mapping.

import Foundation
import Synchronization
import CSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// XXH64, Yann Collet's 64-bit xxHash (github.com/Cyan4973/xxHash, doc/xxhash_spec.md): the
/// snapshot's checksums and the source files' content hashes. Several GB/s on one core; any
/// change of a few bits changes the hash.
enum XXH64 {
    static let p1: UInt64 = 0x9E37_79B1_85EB_CA87, p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let p3: UInt64 = 0x1656_67B1_9E37_79F9, p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    @inline(__always) static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
    @inline(__always) static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* p2, 31) &* p1
    }
    @inline(__always) static func merge(_ acc: UInt64, _ v: UInt64) -> UInt64 {
        (acc ^ round(0, v)) &* p1 &+ p4
    }

    static func hash(_ buffer: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let n = buffer.count
        var h: UInt64
        var i = 0
        guard let p = buffer.baseAddress, n > 0 else {
            return avalanche(seed &+ p5)
        }
        if n >= 32 {
            var v1 = seed &+ p1 &+ p2, v2 = seed &+ p2, v3 = seed, v4 = seed &- p1
            while i + 32 <= n {
                v1 = round(v1, p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                v2 = round(v2, p.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
                v3 = round(v3, p.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self))
                v4 = round(v4, p.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self))
                i += 32
            }
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            h = merge(h, v1); h = merge(h, v2); h = merge(h, v3); h = merge(h, v4)
        } else {
            h = seed &+ p5
        }
        h = h &+ UInt64(n)
        while i + 8 <= n {
            h ^= round(0, p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            h = rotl(h, 27) &* p1 &+ p4
            i += 8
        }
        if i + 4 <= n {
            h ^= UInt64(p.loadUnaligned(fromByteOffset: i, as: UInt32.self)) &* p1
            h = rotl(h, 23) &* p2 &+ p3
            i += 4
        }
        while i < n {
            h ^= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) &* p5
            h = rotl(h, 11) &* p1
            i += 1
        }
        return avalanche(h)
    }

    @inline(__always) static func avalanche(_ x: UInt64) -> UInt64 {
        var h = x
        h ^= h >> 33; h = h &* p2
        h ^= h >> 29; h = h &* p3
        h ^= h >> 32
        return h
    }

    static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }
}

/// Writes the snapshot's metadata: fixed-width little-endian integers and length-prefixed UTF-8.
struct MetaWriter {
    var bytes: [UInt8] = []
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func int(_ v: Int) { u64(UInt64(bitPattern: Int64(v))) }
    mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }
    mutating func string(_ s: String) { int(s.utf8.count); bytes.append(contentsOf: s.utf8) }
}

/// Reads what MetaWriter wrote; any read past the end throws.
struct MetaReader {
    struct Truncated: Error {}
    let data: UnsafeRawBufferPointer
    var at = 0
    init(_ data: UnsafeRawBufferPointer) { self.data = data }
    mutating func u64() throws -> UInt64 {
        guard at + 8 <= data.count else { throw Truncated() }
        defer { at += 8 }
        return UInt64(littleEndian: data.loadUnaligned(fromByteOffset: at, as: UInt64.self))
    }
    mutating func int() throws -> Int { Int(Int64(bitPattern: try u64())) }
    mutating func bool() throws -> Bool {
        guard at < data.count else { throw Truncated() }
        defer { at += 1 }
        return data[at] != 0
    }
    mutating func string() throws -> String {
        let n = try int()
        guard n >= 0, at + n <= data.count else { throw Truncated() }
        defer { at += n }
        return String(decoding: UnsafeRawBufferPointer(rebasing: data[at..<(at + n)]), as: UTF8.self)
    }
}

/// Who a source file is: where, how big, when last changed, which inode, and a hash of its
/// content. A snapshot is used only when every one of these is as it was when it was made.
///
/// The status change time (ctime) is what no user-level call can set back: rewriting a file and
/// restoring its mtime (`touch -d`) still moves its ctime. The content hash is XXH64 of the whole
/// file up to `fullHashLimit` (32 MiB: under 10 ms); above it, of the first and last MiB and 62
/// blocks of 64 KiB spread evenly (6 MiB, a few ms even at 2 GB), so reopening a 10M-case file
/// does not read 2 GB. It guards against what ctime misses (a filesystem with coarse times).
struct SourceIdentity: Equatable {
    var role: String
    var path: String
    var size: Int64
    var mtime: Int64
    var ctime: Int64
    var inode: UInt64
    var device: UInt64
    var content: UInt64

    static let fullHashLimit: Int64 = 32 << 20

    /// The identity of the file at `path` now, or nil when it cannot be read.
    static func of(role: String, path: String) -> SourceIdentity? {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)   // a FIFO must not block
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
        let size = Int64(st.st_size)
        #if canImport(Darwin)
        let mtime = Int64(st.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(st.st_mtimespec.tv_nsec)
        let ctime = Int64(st.st_ctimespec.tv_sec) * 1_000_000_000 + Int64(st.st_ctimespec.tv_nsec)
        #else
        let mtime = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        let ctime = Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec)
        #endif
        guard let content = contentHash(fd: fd, size: size) else { return nil }
        return SourceIdentity(role: role, path: path, size: size, mtime: mtime, ctime: ctime,
                              inode: UInt64(st.st_ino), device: UInt64(st.st_dev), content: content)
    }

    static func contentHash(fd: Int32, size: Int64) -> UInt64? {
        let block = 1 << 20
        var buffer = [UInt8](repeating: 0, count: block)
        var h = UInt64(bitPattern: size)
        func hashRange(_ from: Int64, _ length: Int) -> Bool {
            var done = 0
            while done < length {
                let want = min(block, length - done)
                let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(from) + off_t(done)) }
                guard got > 0 else { return false }
                h = buffer.withUnsafeBytes { XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[0..<got]), seed: h) }
                done += got
            }
            return true
        }
        if size <= fullHashLimit { return hashRange(0, Int(size)) ? h : nil }
        guard hashRange(0, 1 << 20), hashRange(size - (1 << 20), 1 << 20) else { return nil }
        let blocks = 62, blockSize: Int64 = 64 << 10
        for k in 1...blocks {
            let at = (size - blockSize) * Int64(k) / Int64(blocks + 1)
            guard hashRange(at, Int(blockSize)) else { return nil }
        }
        return h
    }

    func write(_ w: inout MetaWriter) {
        w.string(role); w.string(path)
        for v in [UInt64(bitPattern: size), UInt64(bitPattern: mtime), UInt64(bitPattern: ctime), inode, device, content] { w.u64(v) }
    }

    static func read(_ r: inout MetaReader) throws -> SourceIdentity {
        let role = try r.string(), path = try r.string()
        let size = Int64(bitPattern: try r.u64()), mtime = Int64(bitPattern: try r.u64()), ctime = Int64(bitPattern: try r.u64())
        return SourceIdentity(role: role, path: path, size: size, mtime: mtime, ctime: ctime,
                              inode: try r.u64(), device: try r.u64(), content: try r.u64())
    }

    /// What differs from `other`, in words (for `.cache`).
    func change(from other: SourceIdentity) -> Message {
        let name = (path as NSString).lastPathComponent
        if path != other.path { return Message(en: "\(name) is another file", zh: "\(name) 已是另一个文件") }
        if inode != other.inode || device != other.device { return Message(en: "\(name) was replaced", zh: "\(name) 已被替换") }
        if size != other.size { return Message(en: "\(name) changed size", zh: "\(name) 的大小变了") }
        if mtime != other.mtime || ctime != other.ctime { return Message(en: "\(name) was modified", zh: "\(name) 已被修改") }
        return Message(en: "\(name) has other content", zh: "\(name) 的内容不同")
    }
}

/// A snapshot file mapped into memory, copy-on-write: the store reads its columns and pools in
/// place, and a write (a pool growing, a new string) touches only this process's copy of a page.
/// Unmapped when the last column, pool and cell list using it is gone. Nothing is read ahead at
/// mapping: each section is, when first checked (SnapshotSections).
///
/// The file may shrink while it is mapped (another process truncates it): a read of a page past
/// its new end would end the process with SIGBUS. The mapping is registered with caseql's SIGBUS
/// handler (Sources/CSupport), which then puts zero pages in place of the rest of the mapping and
/// marks it `lost`: the read goes on, on zeros, and the snapshot's holder drops what it computed
/// (`SnapshotSections.fault`). A file replaced by another (renamed over it) leaves the mapping
/// on the old one, which stays whole.
final class SnapshotMapping: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let length: Int
    /// The SIGBUS handler's registration (-1: none, so a read past the end still ends the process).
    private let slot: Int32

    init?(fd: Int32, length: Int) {
        guard length > 0 else { return nil }
        let p = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0)
        guard let p, p != MAP_FAILED else { return nil }
        base = p
        self.length = length
        slot = caseql_mapping_register(p, length)
    }

    deinit {
        caseql_mapping_unregister(slot)
        munmap(base, length)
    }

    /// Whether a read past the file's end was caught: some of the mapping is zeros since then.
    var lost: Bool { caseql_mapping_lost(slot) != 0 }

    func bytes(_ offset: Int, _ count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + offset, count: count)
    }
}

/// The sections of a mapped snapshot, each checked against its checksum the first time something
/// asks for it rather than all at open: reopening a 2 GB snapshot with a cold page cache would
/// otherwise read all of it before the first answer. A section is checked once, whichever thread
/// asks first (the others wait for that check). A section that fails sets `fault`, deletes the
/// snapshot file (if it is still the one mapped), and its holder is given empty cells instead of
/// its bytes: the caller must not answer from this store once `fault` is set, but load the files
/// again (`Session` does, and runs the statement again).
final class SnapshotSections: @unchecked Sendable {
    struct Section {
        var offset: Int
        var length: Int
        var checksum: UInt64
    }

    /// One section's check, done once under its own lock.
    private final class Check {
        let lock = NSLock()
        var passed: Bool?
    }

    let map: SnapshotMapping
    /// The snapshot file and its device and inode when it was mapped.
    let path: String
    private let device: UInt64, inode: UInt64
    /// The mapped file, kept open to see whether it shrank (`fault`); -1 when it could not be.
    private let fd: Int32
    let sections: [String: Section]
    private let checks: [String: Check]
    private let faultLock = NSLock()
    private var firstFault: Message?
    /// Set (releasing) once a section failed; read without the lock on every statement.
    private let faulted = Atomic<Bool>(false)

    /// `fd`: the mapped file (duplicated: the caller keeps its own).
    init(map: SnapshotMapping, fd: Int32, path: String, device: UInt64, inode: UInt64, sections: [String: Section]) {
        self.map = map
        self.fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        self.path = path
        self.device = device
        self.inode = inode
        self.sections = sections
        checks = sections.mapValues { _ in Check() }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// What failed first, in words; nil while every section checked so far is as written and
    /// the file has not shrunk. Asked after each statement: a file truncated while it ran may
    /// have given it zeros (a page past the new end: `SnapshotMapping.lost`; the part of the
    /// last page past it reads as zeros without a fault, hence the size).
    var fault: Message? {
        if !faulted.load(ordering: .acquiring) {
            guard shrunk else { return nil }
            fail(SnapshotSections.truncated)
        }
        faultLock.lock(); defer { faultLock.unlock() }
        return firstFault
    }

    static let truncated = Message(en: "it was truncated while in use", zh: "使用期间被截短")

    /// Whether the mapped file is shorter than the mapping now, or a read past its end was caught.
    var shrunk: Bool {
        if map.lost { return true }
        var st = stat()
        return fd >= 0 && fstat(fd, &st) == 0 && Int(st.st_size) < map.length
    }

    /// Whether what was read from the mapping so far can still be trusted (no section failed and
    /// the file has not shrunk); for a copy just made out of it.
    var intact: Bool { fault == nil }

    /// Whether every named section is as it was written (each checked the first time it is named).
    /// A name the directory lacks fails.
    func check(_ names: [String]) -> Bool {
        var ok = true
        for name in names where !check(name) { ok = false }
        return ok
    }

    /// Checks every section not checked yet (for a command about to read most of the dataset).
    func checkAll() {
        for name in sections.keys.sorted() { _ = check(name) }
    }

    private func check(_ name: String) -> Bool {
        guard let c = checks[name], let s = sections[name] else {
            fail(Message(en: "it has no section \(name)", zh: "缺少分区 \(name)"))
            return false
        }
        c.lock.lock(); defer { c.lock.unlock() }
        if let p = c.passed { return p }
        // A truncation during the check reads zeros from then on: the sum fails (or `fault`
        // says so after the statement).
        let passed = Trace.timed("checked \(name), \(s.length) bytes") {
            Snapshot.checksum(map.bytes(s.offset, s.length), parallel: true) == s.checksum
        }
        c.passed = passed
        if !passed {
            fail(shrunk ? SnapshotSections.truncated
                        : Message(en: "its section \(name) does not match its checksum", zh: "分区 \(name) 与校验和不符"))
        }
        return passed
    }

    /// Notes that the snapshot is damaged (`why`: its section cases.unit does not match its checksum) and
    /// deletes its file, so that the next load parses the files and writes it anew.
    func fail(_ why: Message) {
        faultLock.lock(); defer { faultLock.unlock() }
        if firstFault == nil {
            firstFault = Message(en: "the snapshot \(path) is damaged: \(why.en)", zh: "快照 \(path) 已损坏：\(why.zh)")
            var st = stat()
            if stat(path, &st) == 0 && UInt64(st.st_dev) == device && UInt64(st.st_ino) == inode { unlink(path) }
        }
        faulted.store(true, ordering: .releasing)
    }
}
