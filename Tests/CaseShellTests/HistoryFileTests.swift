import Foundation
import Testing
@testable import CaseShell

@Suite struct HistoryFileTests {
    func tempPath(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "caseql-hist-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir + "/" + name
    }

    func lines(_ path: String) -> [String] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    @Test func readsLibeditFormatWithEscapes() {
        let parsed = HistoryFile.parse(Array("_HiStOrY_V2_\nselect\\040\"a\\040b\"\nx\\\\y\n多\\012行\n".utf8))
        #expect(parsed?.format == .libedit)
        #expect(parsed?.entries == ["select \"a b\"", "x\\y", "多\n行"])
    }

    @Test func readsPlainFilesAsBashWritesThem() {
        let parsed = HistoryFile.parse(Array("#1700000000\r\ncount cases\r\n\r\n  \n教育局\n".utf8))
        #expect(parsed?.format == .plain)
        #expect(parsed?.entries == ["count cases", "教育局"])
    }

    @Test func nonTextIsNotParsed() {
        #expect(HistoryFile.parse([0x61, 0x00, 0x0A]) == nil)
        #expect(HistoryFile.parse([0xFF, 0xFE, 0x0A]) == nil)
    }

    @Test func unvisDecodesTheFormsStrvisWrites() {
        let decoded = HistoryFile.unvis(Array("\\^A\\M-a\\s\\t\\101\\E".utf8)[...])
        #expect(decoded == [0x01, 0xE1, 0x20, 0x09, 0x41, 0x1B])
    }

    @Test func appendKeepsWhatIsThereAndRoundTrips() {
        let path = tempPath("h")
        try! "_HiStOrY_V2_\nold\\040one\n".write(toFile: path, atomically: false, encoding: .utf8)
        let file = HistoryFile(path: path, limit: 100)
        #expect(file.load() == ["old one"])
        let entry = "select \"a\\b\"\n  where title contains \"午餐\""
        #expect(file.append(entry))
        #expect(HistoryFile(path: path, limit: 100).load() == ["old one", entry])
    }

    @Test func plainFilesStayPlain() {
        let path = tempPath("h")
        try! "one\ntwo\n".write(toFile: path, atomically: false, encoding: .utf8)
        let file = HistoryFile(path: path, limit: 100)
        #expect(file.load() == ["one", "two"])
        file.append("three 三")
        #expect(lines(path) == ["one", "two", "three 三"])
    }

    @Test func twoWritersKeepEachOthersEntries() {
        let path = tempPath("h")
        let a = HistoryFile(path: path, limit: 100), b = HistoryFile(path: path, limit: 100)
        _ = a.load(); _ = b.load()
        for i in 0..<10 {
            a.append("a\(i)")
            b.append("b\(i)")
        }
        let all = HistoryFile(path: path, limit: 100).load()
        #expect(all.count == 20)
        #expect(Set(all) == Set((0..<10).flatMap { ["a\($0)", "b\($0)"] }))
    }

    @Test func trimsToTheLimitFromWhatIsOnDisk() {
        let path = tempPath("h")
        let a = HistoryFile(path: path, limit: 30), b = HistoryFile(path: path, limit: 30)
        _ = a.load(); _ = b.load()
        for i in 0..<40 { a.append("a\(i)"); b.append("b\(i)") }
        let kept = HistoryFile(path: path, limit: 1000).load()
        #expect(kept.count <= 30 + 20)
        #expect(kept.last == "b39")
        #expect(kept.contains("a39"))
    }

    @Test func nonTextFileIsCopiedAsideFirst() throws {
        let path = tempPath("h")
        let junk = Data([0x00, 0xFF, 0x41, 0x0A])
        try junk.write(to: URL(fileURLWithPath: path))
        let file = HistoryFile(path: path, limit: 100)
        #expect(file.load().isEmpty)
        #expect(file.warnings.count == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path + ".unreadable")) == junk)
        file.append("new")
        #expect(HistoryFile(path: path, limit: 100).load() == ["new"])
    }

    @Test func devNullIsNeverWritten() {
        let file = HistoryFile(path: "/dev/null", limit: 100)
        #expect(file.load().isEmpty)
        #expect(file.warnings.isEmpty)
        #expect(!file.append("x"))
        var st = stat()
        #expect(stat("/dev/null", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR)
    }

    @Test func folderIsNotReplaced() {
        let path = tempPath("dir")
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let file = HistoryFile(path: path, limit: 100)
        #expect(file.load().isEmpty)
        #expect(!file.warnings.isEmpty)
        #expect(!file.append("x"))
        var isDir: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue)
    }

    @Test func symbolicLinkStaysALink() throws {
        let target = tempPath("target")
        let link = (target as NSString).deletingLastPathComponent + "/link"
        try "".write(toFile: target, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let file = HistoryFile(path: link, limit: 100)
        _ = file.load()
        file.append("x")
        file.clear()
        file.append("y")
        let attrs = try FileManager.default.attributesOfItem(atPath: link)
        #expect(attrs[.type] as? FileAttributeType == .typeSymbolicLink)
        #expect(HistoryFile(path: target, limit: 100).load() == ["y"])
    }
}
