import CaseQuery
import Testing
@testable import CaseShell

/// No typed prefix can mean two commands: for any two, the names share fewer letters than the
/// longer of their declared shortest forms.
@Test func shortestFormsNeverCollide() {
    let all = DotCommands.all
    for (i, a) in all.enumerated() {
        #expect(a.shortest >= 1 && a.shortest <= a.name.count, "\(a.name)")
        for b in all[(i + 1)...] {
            let common = zip(a.name, b.name).prefix { $0 == $1 }.count
            #expect(common < max(a.shortest, b.shortest), ".\(a.name) and .\(b.name) both answer to \(a.name.prefix(common))")
        }
        if case .found(let c) = DotCommands.resolve(String(a.name.prefix(a.shortest))) {
            #expect(c.name == a.name)
        } else {
            Issue.record("\(a.name)'s shortest form does not resolve to it")
        }
    }
    guard case .ambiguous(let cs) = DotCommands.resolve("e") else { Issue.record(".e should be ambiguous"); return }
    #expect(Set(cs.map(\.name)) == ["export", "exit"])
}

/// `.help` fits 80 columns, cut at word boundaries (no word split across lines).
@Test func helpFitsEightyColumns() {
    let text = DotCommands.helpText(nil)
    for line in text.split(separator: "\n") {
        #expect(DisplayWidth.of(String(line)) <= 80, "\(line)")
    }
    let words = Set(DotCommands.all.flatMap { $0.help.split(separator: " ").map(String.init) })
    let wrapped = Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
    #expect(words.isSubset(of: wrapped))
}

@Test func quotingWhatCompletionInserts() {
    #expect(Completer.quotedIfNeeded("教育局") == "教育局")
    #expect(Completer.quotedIfNeeded("副市长（分管教育）") == "\"副市长（分管教育）\"")
    #expect(Completer.quotedIfNeeded("a b") == "\"a b\"")
    #expect(Completer.quotedIfNeeded("say \"hi\"") == "\"say \"\"hi\"\"\"")
    #expect(Completer.quotedIfNeeded("order") == "\"order\"")
    #expect(Completer.quotedArgument("my dir/", quote: nil, open: true) == "\"my dir/")
    #expect(Completer.quotedArgument("a\"b c", quote: nil) == "'a\"b c'")
}
