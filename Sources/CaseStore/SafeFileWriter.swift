// One way to write a file that a user names: exports, the rejects of a lenient load. A regular
// file (or a new one) is written to a temporary file beside it and renamed into place, so a
// failure, a full disk or a signal leaves the target as it was and no temporary file behind. A
// stream (`isStream`: /dev/stdout and the other open descriptors by name, a character device, a
// FIFO) is written in place, never replaced by a regular file. Nothing else is written through a
// symbolic link, and the temporary file has an unpredictable name and is created exclusively
// (O_EXCL | O_NOFOLLOW).

#if canImport(Glibc)
import Glibc
#endif

/// Why a file could not be written; a target that existed is as it was.
public struct FileWriteError: Error, CustomStringConvertible, Equatable, Sendable, Bilingual {
    public var path: String
    /// Why, in both languages (`no such folder /nope`, `没有文件夹 /nope`).
    public var why: Message
    public init(path: String, why: Message) { self.path = path; self.why = why }
    /// The English reason.
    public var reason: String { why.en }
    /// e.g. `cannot write /nope/x.csv: no such folder /nope`
    public var description: String { text(chinese: false) }
    /// e.g. `无法写入 /nope/x.csv：没有文件夹 /nope` under `.labels on`.
    public func text(chinese: Bool) -> String {
        let shown = path.unicodeScalars.map { $0 == "\u{0}" ? "\\0" : String($0) }.joined()
        return Message(en: "cannot write \(shown): \(why.en)", zh: "无法写入 \(shown)：\(why.zh)").text(chinese: chinese)
    }
    /// Equal when they say the same in English.
    public static func == (a: FileWriteError, b: FileWriteError) -> Bool { a.path == b.path && a.why.en == b.why.en }
}

/// A file being written. `write` the bytes, then `commit` to put them in place; dropping the
/// writer (or `abandon`) without committing removes what was written and leaves the target as it
/// was. Not for use from two threads at once.
public final class SafeFileWriter {
    /// How the bytes reach the target.
    public enum Placement: Equatable, Sendable {
        /// A temporary file beside the target, renamed over it on `commit` (regular files).
        case renamed
        /// Written straight into the target, which exists and is a character device or a FIFO.
        case inPlace
        /// The target did not exist and was created exclusively (`mustNotExist`).
        case created
    }

    public let path: String
    public let placement: Placement
    /// Whether a file was there before (kept as it was unless `commit` replaces it).
    public private(set) var existed = false
    private var fd: Int32
    /// The file to remove if not committed: the temporary file, or the created target.
    private var pending: String?
    private var cleanupSlot: Int?
    private let writeFunction: (Int32, UnsafeRawBufferPointer) -> Int

    /// Opens `path` for writing.
    ///
    /// - Parameters:
    ///   - mustNotExist: create `path` itself, exclusively; an existing file (or link) there is an
    ///     error (`already exists`), never overwritten.
    ///   - permissions: for a new file, before the umask (a replaced file keeps its own).
    ///   - writeFunction: write(2), injectable so that tests can simulate a full disk.
    /// - Throws: `FileWriteError` naming what is wrong: an empty name or one with a NUL, a missing
    ///   folder, a folder, a symbolic link, a block device or socket, a FIFO no one reads,
    ///   permission denied, a read-only file system.
    public init(path: String, mustNotExist: Bool = false, permissions: mode_t = 0o666,
                writeFunction: @escaping (Int32, UnsafeRawBufferPointer) -> Int = { fd, p in
                    Glibc.write(fd, p.baseAddress, p.count)
                }) throws(FileWriteError) {
        self.path = path
        self.writeFunction = writeFunction
        func fail(_ why: Message) -> FileWriteError { FileWriteError(path: path, why: why) }
        guard !path.isEmpty else { throw fail(Message(en: "empty file name", zh: "文件名为空")) }
        guard !path.utf8.contains(0) else { throw fail(Message(en: "the file name contains a NUL character", zh: "文件名含有 NUL 字符")) }
        if path.hasSuffix("/") { throw fail(SafeFileWriter.isFolder) }

        // The folder must exist and be a folder.
        let slash = path.lastIndex(of: "/")
        let folder: String = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let base: String = slash.map { String(path[path.index(after: $0)...]) } ?? path
        var st = stat()
        if stat(folder, &st) != 0 {
            let e = errno
            if e == ENOENT { throw fail(SafeFileWriter.noFolder(folder)) }
            if e == ENOTDIR { throw fail(SafeFileWriter.notFolder(folder)) }
            throw fail(Message(en: "cannot reach \(folder): \(SafeFileWriter.errorText(e))", zh: "无法访问 \(folder)：\(SafeFileWriter.errorMessage(e).zh)"))
        }
        if st.st_mode & S_IFMT != S_IFDIR { throw fail(SafeFileWriter.notFolder(folder)) }

        // A stream (standard output by its /dev name, a device, a FIFO) is written in place.
        if let descriptor = SafeFileWriter.descriptorAlias(path) {
            // The same open file as caseql's own descriptor: what stdio holds goes first.
            fflush(nil)
            let fd = fcntl(descriptor, F_DUPFD_CLOEXEC, 0)
            if fd < 0 { throw fail(SafeFileWriter.errorMessage(errno)) }
            self.fd = fd
            placement = .inPlace
            return
        }

        var target = stat()
        var exists = lstat(path, &target) == 0
        if exists && target.st_mode & S_IFMT == S_IFLNK && SafeFileWriter.isStream(path) {
            // A link to a device or FIFO (/dev/stdin's kind): the device is what is written.
            exists = stat(path, &target) == 0
        }
        let kind = exists ? target.st_mode & S_IFMT : 0
        if exists {
            if mustNotExist { throw fail(SafeFileWriter.exists) }
            switch kind {
            case S_IFDIR: throw fail(SafeFileWriter.isFolder)
            case S_IFLNK: throw fail(SafeFileWriter.isLink)
            case S_IFBLK: throw fail(Message(en: "is a block device", zh: "是块设备"))
            case S_IFSOCK: throw fail(Message(en: "is a socket", zh: "是套接字"))
            default: break
            }
        }

        if exists && (kind == S_IFCHR || kind == S_IFIFO) {
            // Written in place. A FIFO with no reader would block forever: O_NONBLOCK makes that
            // ENXIO, and is cleared once open.
            let fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC | (kind == S_IFIFO ? O_NONBLOCK : 0))
            if fd < 0 {
                let e = errno
                if e == ENXIO && kind == S_IFIFO { throw fail(Message(en: "no process is reading this FIFO", zh: "没有进程在读这个 FIFO")) }
                throw fail(SafeFileWriter.openErrorText(e, folder))
            }
            var now = stat()
            // Swapped for something else between lstat and open: not what was checked.
            guard fstat(fd, &now) == 0, now.st_mode & S_IFMT == kind else {
                close(fd)
                throw fail(Message(en: "changed while it was being opened", zh: "打开时被改动了"))
            }
            if kind == S_IFIFO { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) }
            self.fd = fd
            placement = .inPlace
            return
        }

        if mustNotExist {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, permissions)
            if fd < 0 {
                let e = errno
                throw fail(e == EEXIST ? SafeFileWriter.exists : SafeFileWriter.openErrorText(e, folder))
            }
            // (Registered after O_EXCL succeeded: before, the name might be someone else's file.)
            self.fd = fd
            placement = .created
            pending = path
            cleanupSlot = SignalCleanup.register(path)
            return
        }

        // The temporary file, beside the target so that rename(2) is atomic; its name has 64
        // random bits, and O_EXCL | O_NOFOLLOW refuse anything already there, a link included.
        var generator = SystemRandomNumberGenerator()
        let prefix = (folder == "/" ? "" : folder) + "/." + base + ".tmp-"
        var attempt = 0
        while true {
            let tmp = prefix + String(generator.next() as UInt64, radix: 16)
            // Registered before it exists, so that no signal falls between creation and registration.
            let slot = SignalCleanup.register(tmp)
            let fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)   // read back by `publish`
            if fd >= 0 {
                self.fd = fd
                pending = tmp
                cleanupSlot = slot
                break
            }
            let e = errno
            SignalCleanup.unregister(slot)
            attempt += 1
            if e == EEXIST && attempt < 8 { continue }
            throw fail(SafeFileWriter.openErrorText(e, folder))
        }
        placement = .renamed
        existed = exists
        // A replaced file keeps its permissions; a new one gets `permissions` less the umask.
        if exists {
            _ = fchmod(fd, target.st_mode & 0o7777)
        } else {
            let mask = umask(0)
            umask(mask)
            _ = fchmod(fd, permissions & ~mask)
        }
    }

    deinit { abandon() }

    /// Writes all of `bytes`.
    /// - Throws: `FileWriteError` (`disk full`, or the system's reason).
    public func write(_ bytes: UnsafeRawBufferPointer) throws(FileWriteError) {
        guard fd >= 0 else { throw FileWriteError(path: path, why: Message(en: "already closed", zh: "已关闭")) }
        var offset = 0
        while offset < bytes.count {
            let n = writeFunction(fd, UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            if n < 0 {
                let e = errno
                if e == EINTR { continue }
                throw FileWriteError(path: path, why: SafeFileWriter.errorMessage(e))
            }
            if n == 0 { throw FileWriteError(path: path, why: Message(en: "short write (disk full?)", zh: "没有写完（磁盘已满？）")) }
            offset += n
        }
    }

    /// Writes all of `bytes`.
    public func write(_ bytes: [UInt8]) throws(FileWriteError) {
        // (A typed-throws closure here crashes Swift 6.2's IR generation: the error is passed out.)
        let failure = bytes.withUnsafeBytes { raw -> FileWriteError? in
            do throws(FileWriteError) { try write(raw); return nil } catch { return error }
        }
        if let failure { throw failure }
    }

    /// Flushes the bytes to the disk and puts them in place (the rename, for a regular file).
    /// - Throws: `FileWriteError`; the target is then as it was (except a device or FIFO, which
    ///   has what was written).
    public func commit() throws(FileWriteError) {
        guard fd >= 0 else { throw FileWriteError(path: path, why: Message(en: "already closed", zh: "已关闭")) }
        if placement != .inPlace, fsync(fd) != 0 {
            let e = errno
            if e != EINVAL && e != EROFS { throw FileWriteError(path: path, why: SafeFileWriter.errorMessage(e)) }
        }
        let closed = close(fd)
        let closeError = errno
        fd = -1
        if closed != 0 && placement != .inPlace {
            throw FileWriteError(path: path, why: SafeFileWriter.errorMessage(closeError))
        }
        if placement == .renamed, let tmp = pending {
            if rename(tmp, path) != 0 {
                throw FileWriteError(path: path, why: SafeFileWriter.errorMessage(errno))
            }
        }
        pending = nil
        SignalCleanup.unregister(cleanupSlot)
        cleanupSlot = nil
    }

    /// Puts a copy of what is written so far in place (through a second temporary file and
    /// rename, so the target is never partial) and goes on writing: the interactive shell's
    /// `.output FILE` after each result, so that a closed terminal loses nothing. A later
    /// failure leaves the target with this copy. Nothing to do for a stream or a created file.
    /// - Throws: `FileWriteError` (the target then holds what it held before).
    public func publish() throws(FileWriteError) {
        guard placement == .renamed, fd >= 0 else { return }
        let copy = try SafeFileWriter(path: path)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset: off_t = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if n < 0 {
                let e = errno
                if e == EINTR { continue }
                copy.abandon()
                throw FileWriteError(path: path, why: SafeFileWriter.errorMessage(e))
            }
            if n == 0 { break }
            do throws(FileWriteError) { try copy.write(Array(buffer[0..<n])) } catch { copy.abandon(); throw error }
            offset += off_t(n)
        }
        try copy.commit()
    }

    /// Closes without putting anything in place: the temporary (or created) file is removed.
    public func abandon() {
        if fd >= 0 { close(fd); fd = -1 }
        if let p = pending { unlink(p); pending = nil }
        SignalCleanup.unregister(cleanupSlot)
        cleanupSlot = nil
    }

    static func openErrorText(_ e: Int32, _ folder: String) -> Message {
        switch e {
        case EACCES, EPERM: return Message(en: "permission denied in \(folder)", zh: "无权在 \(folder) 中写入")
        case EROFS: return Message(en: "\(folder) is on a read-only file system", zh: "\(folder) 在只读文件系统上")
        case ENOENT, ENOTDIR:
            // The folder was there a moment ago: a file system that makes no files (/proc).
            var st = stat()
            if stat(folder, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR { return cannotCreate(folder, e) }
            return e == ENOENT ? noFolder(folder) : notFolder(folder)
        case ELOOP: return isLink
        default: return errorMessage(e)
        }
    }

    /// e.g. `cannot create a file in /proc: no such file or directory`.
    static func cannotCreate(_ folder: String, _ e: Int32) -> Message {
        Message(en: "cannot create a file in \(folder): ", zh: "无法在 \(folder) 中建立文件：") + errorMessage(e)
    }

    /// The descriptor a name stands for: 1 for /dev/stdout, 2 for /dev/stderr, N for /dev/fd/N
    /// and /proc/self/fd/N, when that descriptor is open; nil for any other name.
    public static func descriptorAlias(_ path: String) -> Int32? {
        let n: Int32?
        switch path {
        case "/dev/stdout": n = 1
        case "/dev/stderr": n = 2
        default:
            let prefixes = ["/dev/fd/", "/proc/self/fd/"]
            guard let p = prefixes.first(where: { path.hasPrefix($0) }) else { return nil }
            n = Int32(path.dropFirst(p.count))
        }
        guard let n, n >= 0, fcntl(n, F_GETFD) >= 0 else { return nil }
        return n
    }

    /// True when `path` is a stream, written in place and with no extension to go by: standard
    /// output or error or another open descriptor by name (`descriptorAlias`), or (through a
    /// link too) an existing character device or FIFO. The one rule for every command that
    /// writes to a path.
    public static func isStream(_ path: String) -> Bool {
        if descriptorAlias(path) != nil { return true }
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        let kind = st.st_mode & S_IFMT
        return kind == S_IFCHR || kind == S_IFIFO
    }

    static let isFolder = Message(en: "is a folder", zh: "是文件夹")
    static let exists = Message(en: "already exists", zh: "已存在")
    static let isLink = Message(en: "is a symbolic link (caseql does not write through links: name the file itself)",
                                zh: "是符号链接（caseql 不经链接写入：请写出文件本身）")
    static func noFolder(_ folder: String) -> Message { Message(en: "no such folder \(folder)", zh: "没有文件夹 \(folder)") }
    static func notFolder(_ folder: String) -> Message { Message(en: "\(folder) is not a folder", zh: "\(folder) 不是文件夹") }

    /// strerror's text, lowercased.
    public static func errorText(_ e: Int32) -> String { errorMessage(e).en }

    /// strerror's text, lowercased, and in Chinese for the errors a user meets reading and
    /// writing files (others read as the system says them).
    public static func errorMessage(_ e: Int32) -> Message {
        let en = strerror(e).map { String(cString: $0).lowercased() } ?? "error \(e)"
        let zh: String
        switch e {
        case ENOENT: zh = "没有这个文件或文件夹"
        case EACCES: zh = "权限不够"
        case EPERM: zh = "不允许的操作"
        case EISDIR: zh = "是文件夹"
        case ENOTDIR: zh = "路径中有一项不是文件夹"
        case EROFS: zh = "只读文件系统"
        case ENOSPC: return Message(en: "disk full", zh: "磁盘已满")
        case EDQUOT: zh = "超出磁盘配额"
        case EEXIST: zh = "已存在"
        case ELOOP: zh = "符号链接成环"
        case ENAMETOOLONG: zh = "文件名太长"
        case EIO: zh = "输入输出错误"
        case EMFILE, ENFILE: zh = "打开的文件太多"
        case EBUSY, ETXTBSY: zh = "文件正忙"
        case ENXIO: zh = "没有这个设备或地址"
        default: zh = en
        }
        return Message(en: en, zh: zh)
    }
}
