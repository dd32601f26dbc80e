import Foundation
import Glibc
import Testing
@testable import CaseStore

// Issue 17, silent loss: a target that is not a regular file is written in place or refused,
// never replaced; temporary files are unpredictable, exclusive, and gone after any failure.

@Suite struct SafeFileWriterTests {
    private func folder() throws -> String {
        let dir = NSTemporaryDirectory() + "caseql-sfw-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    private func entries(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    private func kind(_ path: String) -> mode_t {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_mode & S_IFMT : 0
    }

    private func write(_ text: String, to path: String, mustNotExist: Bool = false) throws(FileWriteError) -> SafeFileWriter.Placement {
        let w = try SafeFileWriter(path: path, mustNotExist: mustNotExist)
        try w.write(Array(text.utf8))
        try w.commit()
        return w.placement
    }

    @Test func newAndReplacedRegularFiles() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/out.csv"
        #expect(try write("one", to: path) == .renamed)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "one")
        chmod(path, 0o640)
        #expect(try write("two", to: path) == .renamed)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "two")
        var st = stat()
        stat(path, &st)
        #expect(st.st_mode & 0o777 == 0o640)
        #expect(entries(dir) == ["out.csv"])
    }

    @Test func characterDeviceIsWrittenInPlaceNeverReplaced() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let node = dir + "/n"
        // `mknod n c 1 3`: a second /dev/null (needs root, as CI runs)
        guard mknod(node, S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0 else { return }
        #expect(try write("into the void", to: node) == .inPlace)
        #expect(kind(node) == S_IFCHR)
        #expect(entries(dir) == ["n"])
        #expect(try write("x", to: "/dev/null") == .inPlace)
        #expect(kind("/dev/null") == S_IFCHR)
    }

    @Test func fifoWithAReaderIsWrittenInPlaceWithoutOneRefused() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fifo = dir + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: FileWriteError(path: fifo, why: .same("no process is reading this FIFO"))) {
            _ = try write("x", to: fifo)
        }
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        #expect(try write("through the pipe", to: fifo) == .inPlace)
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = read(reader, &buffer, 64)
        close(reader)
        #expect(String(decoding: buffer.prefix(max(n, 0)), as: UTF8.self) == "through the pipe")
        #expect(kind(fifo) == S_IFIFO)
        #expect(entries(dir) == ["pipe"])
    }

    @Test func linksFoldersNulAndMissingFoldersAreRefused() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let real = dir + "/real.csv"
        try "keep".write(toFile: real, atomically: false, encoding: .utf8)
        symlink(real, dir + "/link.csv")
        symlink(dir + "/nowhere", dir + "/dangling.csv")
        for target in ["link.csv", "dangling.csv"] {
            #expect(throws: FileWriteError.self) { _ = try write("x", to: dir + "/" + target) }
            #expect(kind(dir + "/" + target) == S_IFLNK)
        }
        #expect(try String(contentsOfFile: real, encoding: .utf8) == "keep")
        #expect(!FileManager.default.fileExists(atPath: dir + "/nowhere"))
        let nul = dir + "/a\u{0}b.csv"
        #expect(throws: FileWriteError(path: nul, why: .same("the file name contains a NUL character"))) {
            _ = try write("x", to: nul)
        }
        #expect(throws: FileWriteError(path: dir, why: .same("is a folder"))) { _ = try write("x", to: dir) }
        #expect(throws: FileWriteError(path: dir + "/no/x.csv", why: .same("no such folder \(dir)/no"))) {
            _ = try write("x", to: dir + "/no/x.csv")
        }
        #expect(throws: FileWriteError(path: "", why: .same("empty file name"))) { _ = try write("x", to: "") }
        #expect(entries(dir) == ["dangling.csv", "link.csv", "real.csv"])
    }

    @Test func mustNotExistNeverOverwrites() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/r.csv"
        #expect(try write("first", to: path, mustNotExist: true) == .created)
        #expect(throws: FileWriteError(path: path, why: .same("already exists"))) {
            _ = try write("second", to: path, mustNotExist: true)
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "first")
    }

    @Test func abandonedAndFailedWritesLeaveNothing() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/out.csv"
        try "old".write(toFile: path, atomically: false, encoding: .utf8)
        do {
            let w = try SafeFileWriter(path: path)
            try w.write(Array("half".utf8))
            #expect(entries(dir).count == 2)   // the temporary file beside the target
            #expect(entries(dir).contains { $0.hasPrefix(".out.csv.tmp-") })
        }
        #expect(entries(dir) == ["out.csv"])
        let full = try SafeFileWriter(path: path, writeFunction: { _, _ in errno = ENOSPC; return -1 })
        #expect(throws: FileWriteError(path: path, why: .same("disk full"))) { try full.write(Array("x".utf8)) }
        full.abandon()
        let created = try SafeFileWriter(path: dir + "/new.csv", mustNotExist: true)
        try created.write(Array("x".utf8))
        created.abandon()
        #expect(entries(dir) == ["out.csv"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
    }

    @Test func temporaryNamesDiffer() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try SafeFileWriter(path: dir + "/x.csv"), b = try SafeFileWriter(path: dir + "/x.csv")
        let names = entries(dir)
        #expect(names.count == 2 && names.allSatisfy { $0.hasPrefix(".x.csv.tmp-") })
        a.abandon(); b.abandon()
        #expect(entries(dir).isEmpty)
    }
}
