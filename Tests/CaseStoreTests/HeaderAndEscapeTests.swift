import Foundation
import Testing
@testable import CaseStore

// Headers with invisible characters, near-miss headers, encoding names, and the one escaping
// function for text shown to a person.

@Test func headersLoseInvisibleCharacters() throws {
    // satisfaction + U+00A0, 办理状态 after a zero-width space, U+3000 around 主办单位, a BOM
    // inside the first header (after the file's own).
    let csv = "\u{FEFF}id\u{FEFF},kind,\u{3000}主办单位\u{3000},交办日期,\u{200B}办理状态,satisfaction\u{A0}\n"
        + "A-1,proposal,教育局,2020-03-01,closed,satisfied\n"
    let ds = try TempDataset(["cases.csv": csv])
    let (store, report) = try DatasetLoader.load(ds.path)
    #expect(store.cases.count == 1)
    #expect(store.cases.code("satisfaction").codes == [Satisfaction.satisfied.rawValue])
    #expect(store.cases.code("status").codes == [Status.closed.rawValue])
    #expect(store.cases.text("unit")[0] == "教育局")
    #expect(report.warnings.isEmpty)
    #expect(Schema.headerName("\u{A0}\u{200B}满意度\u{2060}\u{3000}\r") == "满意度")
}

@Test func nearMissHeaderIsAnErrorBesideTheField() throws {
    let csv = "id,kind,unit,assigned_on,status,satisfction\nA-1,proposal,教育局,2020-03-01,closed,satisfied\n"
    let e = try loadError(["cases.csv": csv])
    #expect(e.issues.count == 1)
    let text = e.description
    #expect(text.contains("cases.csv:1:33"))
    #expect(text.contains("\"satisfction\" is not a field of cases: did you mean satisfaction (满意度)?"))
}

@Test func unknownHeaderNearAFieldThatIsPresentIsOnlyNoted() throws {
    // 序号 is one edit from 编号 (id), but id is there: the column is kept as a text field, with a note.
    let csv = "序号,编号,kind,unit,assigned_on,status\n1,A-1,proposal,教育局,2020-03-01,closed\n"
    let ds = try TempDataset(["cases.csv": csv])
    let (store, report) = try DatasetLoader.load(ds.path)
    #expect(store.cases.count == 1)
    #expect(report.warnings.map(\.en).contains { $0.contains("named no field of cases, kept as text field under its header: \"序号\"") })
    #expect(store.cases.text("序号")[0] == "1")
}

@Test func unknownHeaderFarFromEveryFieldIsOnlyNoted() throws {
    let csv = "id,kind,unit,assigned_on,status,联系电话\nA-1,proposal,教育局,2020-03-01,closed,123\n"
    let ds = try TempDataset(["cases.csv": csv])
    let (_, report) = try DatasetLoader.load(ds.path)
    #expect(report.warnings.map(\.en).contains { $0.contains("联系电话") })
}

@Test func encodingNamesParsedOnce() {
    #expect(TextEncoding(name: "UTF-8") == .utf8)
    #expect(TextEncoding(name: "utf8") == .utf8)
    #expect(TextEncoding(name: "GBK") == .gb18030)
    #expect(TextEncoding(name: "gb18030") == .gb18030)
    #expect(TextEncoding(name: "latin1") == nil)
}

@Test func escapeMakesControlBidiAndZeroWidthVisible() {
    let unit = "医保局\u{1B}]0;pwned\u{7}\u{1B}[2J"
    #expect(Escape.visible(unit) == "医保局␛]0;pwned␇␛[2J")
    #expect(Escape.visible("a\r\nb\tc\u{7F}") == "a\\r\\nb\\tc␡")
    #expect(Escape.visible("x\u{200B}y\u{202E}z\u{85}\u{FEFF}") == "x\\u{200B}y\\u{202E}z\\u{85}\\u{FEFF}")
    #expect(Escape.lines("line 1\nline\u{1B} 2\r\n") == "line 1\nline␛ 2\\r\n")
    #expect(Escape.visible("a\r\nb\rc\nd", lineBreaks: .arrow) == "a↵b↵c↵d")
    // Plain text, Chinese and typographic quotes are left alone.
    for s in ["教育局", "“渡口” — ok", "plain", ""] { #expect(Escape.visible(s) == s) }
    // Every scalar below U+0020 or in C1 comes out visible.
    for v in Array(0..<0x20) + Array(0x7F..<0xA0) {
        let out = Escape.visible(String(Character(Unicode.Scalar(UInt32(v))!)))
        #expect(!out.unicodeScalars.contains { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) })
    }
}

@Test func loadErrorQuotesAreLeftToTheSinkButHeadersAreEscaped() throws {
    let csv = "id,kind,unit,assigned_on,status,satisfction\u{1B}[2J\nA-1,proposal,教育局,2020-03-01,closed,x\n"
    let e = try loadError(["cases.csv": csv])
    #expect(!e.description.contains("\u{1B}"))
    #expect(e.description.contains("satisfction␛[2J"))
}

/// A header in words one character from a field the file lacks (满意率 beside 满意度) is never set
/// aside while that field stays empty: read as the field when its values are the field's, with a
/// note; an error beside the field when they are not.
@Test func nearMissHeaderInWordsIsReadAsTheFieldOrAnError() throws {
    let csv = "id,kind,unit,assigned_on,status,满意率,交办日\nA-1,proposal,教育局,2020-03-01,closed,满意,2020-03-05\nA-2,proposal,教育局,2020-03-02,closed,基本满意,2020-03-06\n"
    let ds = try TempDataset(["cases.csv": csv])
    let (store, report) = try DatasetLoader.load(ds.path)
    #expect(store.cases.code("satisfaction").codes == [Satisfaction.satisfied.rawValue, Satisfaction.basic.rawValue])
    #expect(report.warnings.map(\.en).contains { $0.contains("column \"满意率\" read as satisfaction (满意度)") })
    #expect(!store.cases.specs.contains { $0.name == "满意率" })

    // Percentages are not satisfaction answers: an error beside the field, at the header's cell.
    let rates = "id,kind,unit,assigned_on,status,满意率\nA-1,proposal,教育局,2020-03-01,closed,98%\nA-2,proposal,教育局,2020-03-02,closed,100%\n"
    let e = try loadError(["cases.csv": rates])
    #expect(e.issues.map(\.message) == ["column \"满意率\" is not a field of cases: did you mean satisfaction (满意度)? Rename the column"])
    #expect(e.description.contains("cases.csv:1:33"))

    // With the field's own column there, the near miss is only noted and kept as text.
    let both = "id,kind,unit,assigned_on,status,满意度,满意率\nA-1,proposal,教育局,2020-03-01,closed,满意,98%\n"
    let ds2 = try TempDataset(["cases.csv": both])
    let (store2, _) = try DatasetLoader.load(ds2.path)
    #expect(store2.cases.code("satisfaction").codes == [Satisfaction.satisfied.rawValue])
    #expect(store2.cases.text("满意率")[0] == "98%")
}
