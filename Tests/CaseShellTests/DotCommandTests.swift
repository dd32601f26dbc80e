import Testing
@testable import CaseShell

@Test func exportKeepsTheQueryAsTyped() throws {
    // `.export FILE QUERY`: the query keeps its quotes and spaces (a Chinese quote inside "…").
    let (head, tail) = try DotCommands.splitPrefix(#"export "/tmp/a b.csv" select cases where title contains "“"  or unit = '教育局'"#, words: 2)
    #expect(head == ["export", "/tmp/a b.csv"])
    #expect(tail == #"select cases where title contains "“"  or unit = '教育局'"#)
    let (onlyFile, none) = try DotCommands.splitPrefix("export out.csv", words: 2)
    #expect(onlyFile == ["export", "out.csv"] && none.isEmpty)
    #expect(throws: ShellError.self) { try DotCommands.splitPrefix(#"export "unclosed"#, words: 2) }
}
