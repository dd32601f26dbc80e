// HistoryFile: the shell's history on disk.
//
// Reads libedit's own format (first line `_HiStOrY_V2_`, each entry encoded
// with strvis(3): space as \040, newline as \012, backslash doubled) and plain
// files with one statement a line, as bash, psql and sqlite3 write them.
//
// Writes never lose anything:
// - each new entry is appended (O_APPEND) under flock(2) on the file, so two
//   shells open at once keep each other's statements; only when the file
//   holds more than the limit (plus a margin) is it rewritten, under the same
//   lock, from what is on disk then (not from this shell's memory);
// - a rewrite goes to a temp file made with O_CREAT|O_EXCL|O_NOFOLLOW, then
//   rename(2) over the file; when the path is a symbolic link the target is
//   rewritten in place instead, so the link stays;
// - a path that is not a regular file (/dev/null, a device, a FIFO, a
//   folder) is neither read nor written;
// - a file that cannot be read is left alone and nothing is saved; a file
//   that is not text (NUL bytes, invalid UTF-8) is first copied aside
//   (`PATH.unreadable-N`), with a warning, and a new history begins.

import CaseStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One history file (see the top of HistoryFile.swift for the rules).
public final class HistoryFile {
    /// How the entries are written: libedit's format, or one statement a line.
    public enum Format: Equatable, Sendable { case libedit, plain }

    /// libedit's first line (history.c, `hist_cookie`).
    static let cookie = "_HiStOrY_V2_"

    public let path: String
    /// Most entries kept on disk.
    public let limit: Int
    public private(set) var format: Format = .libedit
    /// False when the path is not a regular file or could not be read.
    public private(set) var writable = true
    /// What the user should be told (printed once by the shell).
    public private(set) var warnings: [Message] = []
    /// The file held something that is not text and was copied aside: the
    /// first write starts the file anew.
    private var startAfresh = false

    public init(path: String, limit: Int) {
        self.path = path
        self.limit = max(1, limit)
    }

    // MARK: - Reading

    /// Reads the file: its entries, oldest first, at most `limit`.
    public func load() -> [String] {
        var st = stat()
        if stat(path, &st) != 0 {
            if errno == ENOENT { return [] }   // made on the first save
            let reason = SafeFileWriter.errorMessage(errno)
            writable = false
            warnings.append(Message(en: "cannot read the history file \(path): \(reason.en); this session's statements are not saved",
                                    zh: "无法读取历史文件 \(path)：\(reason.zh)；本次会话的语句不会保存"))
            return []
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            writable = false
            if (st.st_mode & S_IFMT) != S_IFCHR {
                warnings.append(Message(en: "the history file \(path) is not a regular file; history is not saved",
                                        zh: "历史文件 \(path) 不是普通文件；不保存历史"))
            }
            return []
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            writable = false
            let reason = SafeFileWriter.errorMessage(errno)
            warnings.append(Message(en: "cannot read the history file \(path): \(reason.en); it is left as it is and this session's statements are not saved",
                                    zh: "无法读取历史文件 \(path)：\(reason.zh)；文件保持原样，本次会话的语句不会保存"))
            return []
        }
        let bytes = [UInt8](data)
        guard let parsed = HistoryFile.parse(bytes) else {
            if let copy = keepCopy(bytes) {
                startAfresh = true
                warnings.append(Message(en: "the history file \(path) is not text (NUL bytes or invalid UTF-8); it was copied to \(copy) and a new history begins",
                                        zh: "历史文件 \(path) 不是文本（含 NUL 字节或无效的 UTF-8）；已复制到 \(copy)，历史重新开始"))
            } else {
                writable = false
                warnings.append(Message(en: "the history file \(path) is not text and could not be copied aside; it is left as it is and this session's statements are not saved",
                                        zh: "历史文件 \(path) 不是文本，也无法另存一份；文件保持原样，本次会话的语句不会保存"))
            }
            return []
        }
        format = parsed.format
        return Array(parsed.entries.suffix(limit))
    }

    /// Entries of a history file's bytes, or nil when they are not text.
    static func parse(_ bytes: [UInt8]) -> (format: Format, entries: [String])? {
        if bytes.contains(0) { return nil }
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line -> ArraySlice<UInt8> in
            line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        }
        if lines.last?.isEmpty == true { lines.removeLast() }
        let isLibedit = lines.first.map { Array($0) == Array(cookie.utf8) } ?? false
        var entries: [String] = []
        if isLibedit {
            for line in lines.dropFirst() {
                guard let text = String(validating: unvis(line), as: UTF8.self) else { return nil }
                entries.append(text)
            }
            return (.libedit, entries)
        }
        for line in lines {
            guard let text = String(validating: line, as: UTF8.self) else { return nil }
            if text.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            if isBashTimestamp(text) { continue }
            entries.append(text)
        }
        return (.plain, entries)
    }

    /// bash writes `#1700000000` before each entry when HISTTIMEFORMAT is set.
    static func isBashTimestamp(_ line: String) -> Bool {
        line.count >= 2 && line.first == "#" && line.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// strunvis(3) on one line: \NNN octal, \\, \^X, \M-X, \M^X, \n \t \r \b \a \v \f \s \E.
    /// An unknown escape keeps its character.
    static func unvis(_ line: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(line.count)
        let s = Array(line)
        var i = 0
        func control(_ c: UInt8) -> UInt8 { c == UInt8(ascii: "?") ? 0x7F : c & 0x1F }
        while i < s.count {
            let c = s[i]
            guard c == UInt8(ascii: "\\"), i + 1 < s.count else { out.append(c); i += 1; continue }
            let e = s[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var v = Int(e - UInt8(ascii: "0"))
                var digits = 1
                while digits < 3, i < s.count, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(s[i]) {
                    v = v * 8 + Int(s[i] - UInt8(ascii: "0"))
                    i += 1
                    digits += 1
                }
                out.append(UInt8(truncatingIfNeeded: v))
            case UInt8(ascii: "^"):
                if i < s.count { out.append(control(s[i])); i += 1 }
            case UInt8(ascii: "M"):
                if i + 1 < s.count, s[i] == UInt8(ascii: "-") {
                    out.append(s[i + 1] | 0x80); i += 2
                } else if i + 1 < s.count, s[i] == UInt8(ascii: "^") {
                    out.append(control(s[i + 1]) | 0x80); i += 2
                } else {
                    out.append(e)
                }
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "s"): out.append(0x20)
            case UInt8(ascii: "E"): out.append(0x1B)
            default: out.append(e)
            }
        }
        return out
    }

    /// One entry as a line of the file (without the newline). libedit's format
    /// is strvis(3) with VIS_WHITE|VIS_OCTAL: spaces, controls and backslashes
    /// escaped, everything else (Chinese too) kept as UTF-8.
    func encode(_ entry: String) -> [UInt8] {
        switch format {
        case .plain:
            return Array(entry.utf8)
        case .libedit:
            var out: [UInt8] = []
            for b in entry.utf8 {
                switch b {
                case UInt8(ascii: "\\"): out += Array("\\\\".utf8)
                case 0...0x20, 0x7F: out += Array(("\\" + String(format: "%03o", b)).utf8)
                default: out.append(b)
                }
            }
            return out
        }
    }

    private func header() -> [UInt8] {
        format == .libedit ? Array((HistoryFile.cookie + "\n").utf8) : []
    }

    /// Copies the unreadable content to PATH.unreadable[-N] (created exclusively); returns its path.
    private func keepCopy(_ bytes: [UInt8]) -> String? {
        for n in 0..<100 {
            let copy = path + ".unreadable" + (n == 0 ? "" : "-\(n)")
            let fd = open(copy, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd < 0 {
                if errno == EEXIST { continue }
                return nil
            }
            let ok = HistoryFile.writeAll(fd, bytes) && fsync(fd) == 0
            close(fd)
            if ok { return copy }
            unlink(copy)
            return nil
        }
        return nil
    }

    // MARK: - Writing

    /// Appends one entry (under the lock); rewrites the file when it holds
    /// more than `limit` entries by a margin. Returns false when nothing was written.
    @discardableResult
    public func append(_ entry: String) -> Bool {
        withLockedFile { fd in
            var line = encode(entry)
            line.append(UInt8(ascii: "\n"))
            if startAfresh {
                startAfresh = false
                return rewrite(fd, entries: [entry])
            }
            var st = stat()
            guard fstat(fd, &st) == 0 else { return false }
            if st.st_size == 0 { line = header() + line }
            guard HistoryFile.writeAll(fd, line) else { return false }
            // Trim when the file has grown past the limit by a tenth (at least 20 entries).
            let margin = max(20, limit / 10)
            guard let disk = HistoryFile.readAll(fd), let parsed = HistoryFile.parse(disk),
                  parsed.entries.count > limit + margin else { return true }
            return rewrite(fd, entries: Array(parsed.entries.suffix(limit)))
        }
    }

    /// Empties the history on disk (.history clear).
    @discardableResult
    public func clear() -> Bool {
        startAfresh = false
        return withLockedFile { fd in rewrite(fd, entries: []) }
    }

    /// Opens the file (made mode 0600, its folder 0700, when missing), takes
    /// an exclusive flock, and makes sure the locked file is still the one at
    /// the path (another shell may have renamed a new one over it).
    private func withLockedFile(_ body: (Int32) -> Bool) -> Bool {
        guard writable else { return false }
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) {
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o700])
        }
        for _ in 0..<8 {
            var pre = stat()
            if stat(path, &pre) == 0 && (pre.st_mode & S_IFMT) != S_IFREG { return false }
            let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NONBLOCK, 0o600)
            if fd < 0 { return false }
            defer { close(fd) }
            var st = stat()
            guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return false }
            while flock(fd, LOCK_EX) != 0 {
                if errno != EINTR { return false }
            }
            var now = stat()
            if stat(path, &now) == 0 && now.st_dev == st.st_dev && now.st_ino == st.st_ino {
                let ok = body(fd)
                flock(fd, LOCK_UN)
                return ok
            }
            flock(fd, LOCK_UN)   // replaced meanwhile: lock the new one
        }
        return false
    }

    /// Replaces the content of the locked file `fd` with `entries`: through a
    /// temp file and rename(2) when the path is the file itself, in place when
    /// it is a symbolic link (the link must stay).
    private func rewrite(_ fd: Int32, entries: [String]) -> Bool {
        var bytes = header()
        for e in entries { bytes += encode(e); bytes.append(UInt8(ascii: "\n")) }
        var lst = stat()
        let isLink = lstat(path, &lst) == 0 && (lst.st_mode & S_IFMT) == S_IFLNK
        if !isLink {
            let tmp = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            let t = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if t >= 0 {
                let ok = HistoryFile.writeAll(t, bytes) && fsync(t) == 0
                close(t)
                if ok && rename(tmp, path) == 0 { return true }
                unlink(tmp)
            }
        }
        guard ftruncate(fd, 0) == 0 else { return false }
        return HistoryFile.writeAll(fd, bytes)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 { if errno == EINTR { continue }; return false }
                done += n
            }
            return true
        }
    }

    static func readAll(_ fd: Int32) -> [UInt8]? {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        var offset: off_t = 0
        while true {
            let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, offset) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { return out }
            out += buf[0..<n]
            offset += off_t(n)
        }
    }
}
