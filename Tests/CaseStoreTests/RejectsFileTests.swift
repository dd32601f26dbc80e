import Foundation
import Testing
@testable import CaseStore

// The rejects file through the one CSV writer (RejectsFileWriter.swift): its settings, the formula
// guard's apostrophe kept once, malformed lines kept whole.

private func text(_ header: String, _ rows: [String], _ settings: CSVSettings) -> [UInt8]? {
    Array(header.utf8).withUnsafeBufferPointer { RejectsFileWriter.bytes(header: $0, rows: rows.map { Array($0.utf8) }, settings: settings) }
}

@Test func rejectsFileSettings() throws {
    let header = "id,title\n"
    let rows = ["A-1,'=1+1\n", "A-2,\"x, \"\"y\"\"\"\r\n", "A-3,=SUM(A1)\n", "A-4,-5\n"]
    // The file defaults: BOM, CRLF, guard (a guarded cell is quoted); a guarded cell stays
    // guarded once, an unguarded one is guarded.
    #expect(text(header, rows, .file) == Array("\u{FEFF}id,title\r\nA-1,\"'=1+1\"\r\nA-2,\"x, \"\"y\"\"\"\r\nA-3,\"'=SUM(A1)\"\r\nA-4,\"'-5\"\r\n".utf8))
    // No guard: the values as the loader read them.
    let plain = CSVSettings(bom: false, crlf: false, formulaGuard: false)
    #expect(text(header, rows, plain) == Array("id,title\nA-1,=1+1\nA-2,\"x, \"\"y\"\"\"\nA-3,=SUM(A1)\nA-4,-5\n".utf8))
    // GB18030: no BOM, the text transcoded.
    let gb = CSVSettings(encoding: .gb18030)
    let written = try #require(text("单位\n", ["教育局\n"], gb))
    #expect(written == Array("单位\r\n教育局\r\n".utf8).withUnsafeBufferPointer { Transcode.utf8ToGB18030($0) })
}

@Test func malformedRowsAreKeptWhole() throws {
    // A quote never closed, text after a closing quote, and a row over two lines (CR, then LF).
    let rows = ["A-1,\"张三,x\n", "A-2,\"a\"b,c\r\n", "A-3,\"p\rq,r\n"]
    let out = try #require(text("id,name\n", rows, CSVSettings(bom: false, crlf: false)))
    let read = try records(String(decoding: out, as: UTF8.self))
    #expect(read == ["id,name", "A-1,\"张三,x", "A-2,\"a\"b,c", "A-3,\"p", "q,r"])
}

@Test func anAddedColumnFollowsTheHeadersWidth() throws {
    // A two-row header whose group is the last columns: its first row is a field short. The
    // added column goes after the header's width on both header rows; a row of the header's
    // width gets its value, a row of another shape (rejected for it) is written as it is.
    let header = "编号,办理情况\n,答复日期,办结日期\n"
    let rows = ["J-1,2020-13-01,2020-05-01\n", "J-2,x\n", "J-3,2020-01-01,2020-02-01,多\n"]
    let added = RejectsFileWriter.AddedColumn(header: "类别", values: ["政协委员提案", "人大代表建议", "议案"])
    let plain = CSVSettings(bom: false, crlf: false, formulaGuard: false)
    let out = try #require(Array(header.utf8).withUnsafeBufferPointer {
        RejectsFileWriter.bytes(header: $0, rows: rows.map { Array($0.utf8) }, width: 3, added: added, settings: plain)
    })
    #expect(String(decoding: out, as: UTF8.self) == "编号,办理情况,,类别\n,答复日期,办结日期,\nJ-1,2020-13-01,2020-05-01,政协委员提案\nJ-2,x\nJ-3,2020-01-01,2020-02-01,多\n")
}
