// What may be read as a dataset's file, and what is said when it cannot: a missing file, a
// folder, a dangling or looping symbolic link, an unreadable file and a device or FIFO are told
// apart. Only regular files are read (a FIFO with no writer would block forever, /dev/zero never
// ends). And a mapped file that is truncated while it is parsed must not kill the process with
// SIGBUS: MappedFileGuard turns that into an error that says the file changed.

import CSupport
import Foundation
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
/// after it was mapped raises SIGBUS when read; the handler maps zero pages over that mapping,
/// marks it, and lets the read go on. The loader then finds the mark (and the changed size) and
/// reports the file as changed while it was read. A SIGBUS anywhere else is left to the default
/// action. The handler is caseql's one SIGBUS handler (Sources/CSupport), which the column
/// snapshot's mapping uses too (`SnapshotMapping`): two handlers would each replace the other.
enum MappedFileGuard {
    /// Watches `count` bytes mapped at `base`; returns the slot for `wasTruncated` and `remove`
    /// (nil when all are taken: a truncation then ends the process with SIGBUS, as before).
    static func add(_ base: UnsafeMutableRawPointer, count: Int) -> Int? {
        let slot = caseql_mapping_register(base, count)
        return slot >= 0 ? Int(slot) : nil
    }

    /// Whether a read in the mapping found its file shorter than when it was mapped.
    static func wasTruncated(_ slot: Int?) -> Bool {
        guard let slot else { return false }
        return caseql_mapping_lost(Int32(slot)) != 0
    }

    /// Forgets the mapping (call before unmapping it).
    static func remove(_ slot: Int?) {
        guard let slot else { return }
        caseql_mapping_unregister(Int32(slot))
    }
}
