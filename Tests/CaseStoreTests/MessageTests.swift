import Testing
@testable import CaseStore

@Suite struct MessageTests {
    @Test func picksTheLanguage() {
        let m = Message(en: "no case X9", zh: "没有案件 X9")
        #expect(m.text(chinese: false) == "no case X9")
        #expect(m.text(chinese: true) == "没有案件 X9")
        #expect("\(m)" == "no case X9")
        #expect(Message.same("a.csv").text(chinese: true) == "a.csv")
    }

    @Test func joinsEachLanguageWithItsOwn() {
        let m = Message(en: "no rule x", zh: "没有规则 x") + Message(en: "; the rules are a, b", zh: "；可用的规则：a, b")
        #expect(m.en == "no rule x; the rules are a, b")
        #expect(m.zh == "没有规则 x；可用的规则：a, b")
    }

    @Test func countsInTheSingularAndThePlural() {
        #expect(Message.count(1, "row", zh: "行").en == "1 row")
        #expect(Message.count(3, "row", zh: "行").en == "3 rows")
        #expect(Message.count(0, "row", zh: "行").en == "0 rows")
        #expect(Message.count(3, "row", zh: "行").zh == "3 行")
        #expect(Message.count(2, "entry", "entries", zh: "条").en == "2 entries")
    }

    @Test func loadErrorsSayPositionsTheSameInBothLanguages() {
        let issue = LoadIssue(file: "cases.csv", line: 4, column: 17, field: "deadline",
                              message: Message(en: "\"2020-02-30\" is not a date", zh: "\"2020-02-30\" 不是日期"))
        let e = LoadError([issue, issue], total: 25)
        let en = e.text(chinese: false), zh = e.text(chinese: true)
        #expect(en == e.description)
        #expect(en.hasPrefix("cases.csv:4:17: deadline: \"2020-02-30\" is not a date\n"))
        #expect(zh.hasPrefix("cases.csv:4:17: deadline: \"2020-02-30\" 不是日期\n"))
        #expect(en.hasSuffix("… and 5 more errors (25 in all)\n25 errors: nothing was loaded (use --lenient to load the good rows)"))
        #expect(zh.hasSuffix("… 另有 5 个错误（共 25 个）\n25 个错误：什么都没有加载（用 --lenient 加载没有问题的行）"))
        // A message written in one language only reads the same in both.
        let plain = LoadError("cannot read", file: "x.json")
        #expect(plain.text(chinese: true) == "x.json: cannot read")
    }

    @Test func aMissingPathSaysSoInBothLanguages() throws {
        let path = "/nonexistent-\(UInt32.random(in: 0...UInt32.max))/cases.csv"
        do {
            _ = try DatasetLoader.load(path)
            Issue.record("loaded a missing path")
        } catch let e as LoadError {
            #expect(e.text(chinese: false) == "\(path): no such file or folder")
            #expect(e.text(chinese: true) == "\(path): 没有这个文件或文件夹")
        }
    }

    @Test func fileWriteErrorsSayWhyInBothLanguages() throws {
        let folder = "/nonexistent-\(UInt32.random(in: 0...UInt32.max))"
        do {
            _ = try SafeFileWriter(path: folder + "/a.csv")
            Issue.record("opened a file in a missing folder")
        } catch {
            #expect(error.description == "cannot write \(folder)/a.csv: no such folder \(folder)")
            #expect(error.text(chinese: true) == "无法写入 \(folder)/a.csv：没有文件夹 \(folder)")
        }
        // The system's own words read the same in both.
        let e = FileWriteError(path: "x.csv", reason: "input/output error")
        #expect(e.text(chinese: true) == "无法写入 x.csv：input/output error")
    }
}

