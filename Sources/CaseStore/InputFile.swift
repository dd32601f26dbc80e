// What may be read as a dataset's file, and what is said when it cannot: a missing file, a
// folder, a dangling or looping symbolic link, an unreadable file and a device or FIFO are told
// apart. Only regular files are read (a FIFO with no writer would block forever, /dev/zero never
// ends). And a mapped file that is truncated while it is parsed must not kill the process with
// SIGBUS: MappedFileGuard turns that into an error that says the file changed.

import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public enum InputFile {
    /// Whether something (a file, a folder, a link even if dangling) has the name `path`.
    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// Why `path` cannot be read as a CSV file, or nil when it is a regular file that can be.
    /// The message is a reason to follow the file name: "no such file", "is a folder, not a CSV
    /// file", "is a symbolic link to …, which does not exist", "is a symbolic link that loops",
    /// "cannot be read: permission denied", "is a FIFO (a named pipe), not a regular file".
    public static func problem(_ path: String) -> Message? {
        var link = stat()
        guard lstat(path, &link) == 0 else {
            let e = errno
            return e == ENOENT || e == ENOTDIR ? noSuchFile : cannotReach(e)
        }
        var st = stat()
        if stat(path, &st) != 0 {
            let e = errno
            if link.st_mode & S_IFMT == S_IFLNK {
                if e == ELOOP { return Message(en: "is a symbolic link that loops", zh: "是成环的符号链接") }
                if e == ENOENT {
                    let target = linkTarget(path) ?? "?"
                    return Message(en: "is a symbolic link to \(target), which does not exist", zh: "是指向 \(target) 的符号链接，而它不存在")
                }
            }
            return cannotReach(e)
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return Message(en: "is a folder, not a CSV file", zh: "是文件夹，不是 CSV 文件")
        default: return notRegular(st.st_mode)
        }
        if access(path, R_OK) != 0 { return cannotRead(errno) }
        return nil
    }

    static let noSuchFile = Message(en: "no such file", zh: "没有这个文件")
    static func cannotReach(_ e: Int32) -> Message {
        Message(en: "cannot be reached: ", zh: "无法访问：") + SafeFileWriter.errorMessage(e)
    }
    static func cannotRead(_ e: Int32) -> Message {
        Message(en: "cannot be read: ", zh: "无法读取：") + SafeFileWriter.errorMessage(e)
    }
    /// "is a FIFO (a named pipe), not a regular file: caseql reads only regular files".
    static func notRegular(_ mode: mode_t) -> Message {
        Message(en: "is ", zh: "是") + kindName(mode)
            + Message(en: ", not a regular file: caseql reads only regular files", zh: "，不是普通文件：caseql 只读普通文件")
    }

    /// "a character device", "a FIFO (a named pipe)", …
    static func kindName(_ mode: mode_t) -> Message {
        switch mode & S_IFMT {
        case S_IFCHR: return Message(en: "a character device", zh: "字符设备")
        case S_IFBLK: return Message(en: "a block device", zh: "块设备")
        case S_IFIFO: return Message(en: "a FIFO (a named pipe)", zh: "命名管道（FIFO）")
        case S_IFSOCK: return Message(en: "a socket", zh: "套接字")
        case S_IFDIR: return Message(en: "a folder", zh: "文件夹")
        case S_IFLNK: return Message(en: "a symbolic link", zh: "符号链接")
        default: return Message(en: "a regular file", zh: "普通文件")
        }
    }

    static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let n = readlink(path, &buffer, 4096)
        guard n >= 0 else { return nil }
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Catches SIGBUS on the mapped files being parsed. A page past the end of a file truncated
/// after it was mapped raises SIGBUS when read; the handler maps zero pages over the rest of that
/// mapping, marks it, and lets the read go on. The loader then finds the mark (and the changed
/// size) and reports the file as changed while it was read. A SIGBUS anywhere else is left to
/// the default action.
enum MappedFileGuard {
    static let slots = 64
    nonisolated(unsafe) private static let starts = UnsafeMutablePointer<UInt>.allocate(capacity: slots)
    nonisolated(unsafe) private static let ends = UnsafeMutablePointer<UInt>.allocate(capacity: slots)
    /// Set by the handler, which may run on both loading threads at once (ThreadSanitizer caught
    /// the plain store racing): atomic, and lock-free so safe in a signal handler.
    nonisolated(unsafe) private static let hit = UnsafeMutablePointer<Atomic<Int32>>.allocate(capacity: slots)
    private static let lock = NSLock()

    private static let installed: Bool = {
        starts.initialize(repeating: 0, count: slots)
        ends.initialize(repeating: 0, count: slots)
        for k in 0..<slots { (hit + k).initialize(to: Atomic(0)) }
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = MappedFileGuard.handler
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_SIGINFO
        sigaction(SIGBUS, &action, nil)
        return true
    }()

    /// Watches `count` bytes mapped at `base`; returns the slot for `wasTruncated` and `remove`.
    static func add(_ base: UnsafeMutableRawPointer, count: Int) -> Int? {
        _ = installed
        lock.lock(); defer { lock.unlock() }
        for k in 0..<slots where ends[k] == 0 {
            hit[k].store(0, ordering: .relaxed)
            starts[k] = UInt(bitPattern: base)
            ends[k] = UInt(bitPattern: base) + UInt(count)
            return k
        }
        return nil
    }

    /// Whether a read in the mapping found its file shorter than when it was mapped.
    static func wasTruncated(_ slot: Int?) -> Bool {
        guard let slot else { return false }
        return hit[slot].load(ordering: .relaxed) != 0
    }

    static func remove(_ slot: Int?) {
        guard let slot else { return }
        lock.lock(); defer { lock.unlock() }
        ends[slot] = 0
        starts[slot] = 0
    }

    private static let handler: @convention(c) (Int32, UnsafeMutablePointer<siginfo_t>?, UnsafeMutableRawPointer?) -> Void = { sig, info, _ in
        let address = UInt(bitPattern: info?.pointee._sifields._sigfault.si_addr)
        let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
        for k in 0..<MappedFileGuard.slots {
            let start = MappedFileGuard.starts[k], end = MappedFileGuard.ends[k]
            guard end != 0, address >= start, address < end else { continue }
            let from = address / page * page
            let length = Int((end + page - 1) / page * page - from)
            // Zero pages over the rest of the mapping: the read that faulted now reads zeros.
            let p = mmap(UnsafeMutableRawPointer(bitPattern: from), length, PROT_READ,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
            if p != MAP_FAILED {
                MappedFileGuard.hit[k].store(1, ordering: .relaxed)
                return
            }
        }
        signal(SIGBUS, SIG_DFL)   // not ours: the fault repeats and kills the process as it would have
    }
}
