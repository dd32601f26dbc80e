import Foundation
import Testing
@testable import CaseStore

/// Lists laid out as real systems and published notices lay them out (Tests/reallists: invented
/// rows under real headers and words), each loading as published (issue 18).
@Suite struct RealListTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("reallists").path

    func load(_ name: String, kind: Kind? = nil) throws -> (CaseStore, LoadReport) {
        var options = LoadOptions()
        options.kind = kind
        return try DatasetLoader.load(RealListTests.folder + "/" + name, options: options)
    }
    func texts(_ t: Table, _ field: String) -> [String] { (0..<t.count).map { t.text(field)[$0] } }
    func lists(_ t: Table, _ field: String) -> [[String]] { (0..<t.count).map { t.list(field)[$0] } }
    func tokens(_ t: Table, _ field: String) -> [String] {
        let c = t.code(field)
        return c.codes.map { c.info.token($0) }
    }
    func days(_ t: Table, _ field: String) -> [String] {
        t.day(field).values.map { $0 == Day.none ? "" : Day(raw: $0).description }
    }

    @Test func cityNPCSystemExport() throws {
        let (s, report) = try load("npc-city-system.csv")
        let c = s.cases
        #expect(c.count == 4)
        #expect(texts(c, "id") == ["JY20190001", "JY20190002", "JY20190003", "JY20190004"])
        #expect(tokens(c, "kind") == ["suggestion", "suggestion", "suggestion", "suggestion"])   // 建议, 批评, 意见
        #expect(texts(c, "proposer") == ["顾建英", "王志强", "刘海燕", "陈国栋"])
        #expect(lists(c, "cosigners") == [["钱明亮", "李秀兰", "周建国"], ["张红梅", "赵立新"], [], ["孙丽", "吴刚"]])
        #expect(lists(c, "co_units")[0] == ["市财政局", "市规划局"])
        #expect(tokens(c, "status") == ["replied", "in_progress", "closed", "replied"])
        #expect(tokens(c, "contact") == ["meeting", "phone", "visit", "visit"])
        #expect(tokens(c, "satisfaction") == ["satisfied", "", "basic", ""])      // 未表态: no answer
        #expect(tokens(c, "resolution") == ["A", "", "B", "C"])
        #expect(days(c, "assigned_on") == ["2019-01-08", "2019-01-08", "2019-01-09", "2019-01-09"])
        #expect(days(c, "replied_on") == ["2019-03-20", "", "2019-02-28", "2019-03-01"])
        // Columns caseql has no field for are kept, under their headers.
        #expect(texts(c, "代表团") == ["临汝镇代表团", "城关镇代表团", "临汝镇代表团", "骑岭乡代表团"])
        #expect(texts(c, "届次") == Array(repeating: "十五届三次", count: 4))
        #expect(c.specs.filter(\.extra).map(\.name) == ["序号", "代表团", "届次", "是否公开"])
        // No category list in a manifest: category is open text, the list's own words.
        #expect(texts(c, "category") == ["城乡建设", "教科文卫", "城乡建设", "农业农村"])
        let note = report.warnings.map(\.en).first { $0.contains("kept as text fields") } ?? ""
        #expect(note.contains("\"代表团\" (a delegation)") && !note.contains("perhaps proposer"))
        // Fields the list does not have: no data.
        #expect(!c.hasData("signed_on") && !c.hasData("days_to_sign") && c.hasData("face_to_face"))
    }

    @Test func cityCPPCCSystemExportWithItsManifest() throws {
        let (s, _) = try load("cppcc-city")
        let c = s.cases
        #expect(c.count == 3)
        #expect(tokens(c, "kind") == ["proposal", "proposal", "proposal"])          // manifest "kind"
        #expect(texts(c, "id") == ["0101", "0102", "0103"])
        #expect(texts(c, "proposer") == ["沈美华", "民盟市委", "韩冬梅"])
        #expect(lists(c, "cosigners") == [["杨帆", "何静"], [], ["郑洁", "吕思远", "潘晓东"]])
        #expect(tokens(c, "proposer_type") == ["member", "group", "member"])
        // 分办: the first lead unit is the unit; every case's lead units are the list 分办单位.
        #expect(texts(c, "unit") == ["市民政局", "市公安局", "市文广旅局"])
        #expect(lists(c, CaseRowCheck.sharedLeadField) == [["市民政局", "姑苏区人民政府"], ["市公安局"], ["市文广旅局"]])
        #expect(lists(c, "co_units")[1] == ["市住建局", "市自然资源局"])
        #expect(days(c, "assigned_on") == ["2020-03-12", "2020-03-12", "2020-03-13"])
        #expect(tokens(c, "satisfaction") == ["satisfied", "basic", ""])
        #expect(tokens(c, "contact") == ["meeting", "meeting", ""])
        #expect(texts(c, "办理类型") == ["分办", "会办", "单办"])
    }

    /// A name units.csv lists as one unit stays one unit, separators and all; the same cell
    /// without that listing is two lead units (分办).
    @Test func aUnitListedInUnitsCSVIsNeverSplit() throws {
        let dir = NSTemporaryDirectory() + "caseql-listed-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let cases = "id,kind,unit,title\nA-1,proposal,\"市民政局;姑苏区人民政府\",t1\nA-2,proposal,\"甲局;乙局\",t2\n"
        try cases.write(toFile: dir + "/cases.csv", atomically: true, encoding: .utf8)
        try "name,type\n\"甲局;乙局\",department\n".write(toFile: dir + "/units.csv", atomically: true, encoding: .utf8)
        let c = try DatasetLoader.load(dir).0.cases
        #expect(texts(c, "unit") == ["市民政局", "甲局;乙局"])
        #expect(lists(c, CaseRowCheck.sharedLeadField) == [["市民政局", "姑苏区人民政府"], ["甲局;乙局"]])
    }

    @Test func provincialNoticeTableWithTitleRowsTotalsAndSections() throws {
        let (s, report) = try load("notice-province.csv", kind: .suggestion)
        let c = s.cases
        #expect(c.count == 4)
        #expect(texts(c, "id") == ["1001", "1002", "1015", "1016"])
        #expect(texts(c, "title")[1] == "关于加快乡村物流\"最后一公里\"建设的建议")
        #expect(texts(c, "proposer") == ["周明远", "黄丽娟", "曾庆华", "罗晓燕"])
        #expect(lists(c, "co_units") == [["省发展改革委", "省财政厅"], ["省商务厅", "省邮政管理局"], [], ["省卫生健康委"]])
        #expect(days(c, "deadline") == ["2020-06-30", "2020-06-30", "2020-07-15", "2020-07-15"])
        #expect(tokens(c, "status") == ["closed", "in_progress", "replied", "replied"])
        #expect(tokens(c, "kind") == ["suggestion", "suggestion", "suggestion", "suggestion"])   // --kind
        #expect(report.files[0].skipped == 6)
        #expect(report.warnings.map(\.en).contains { $0.contains("the header is on line 4; 3 rows above it skipped (\"附件\")") })
        let skipped = report.warnings.map(\.en).first { $0.contains("not a case") } ?? ""
        #expect(skipped.contains("2 × a section heading (lines 5, 8)"))
        #expect(skipped.contains("the header again (line 10)") && skipped.contains("a total (合计) (line 13)"))
        #expect(skipped.contains("a note (line 14)") && skipped.contains("an empty row (line 12)"))
    }

    @Test func sectionHeadingsGiveTheirKindToTheRowsUnderThem() throws {
        let (s, report) = try load("notice-city-sections.csv")
        let c = s.cases
        #expect(texts(c, "title") == ["关于增加社区体育设施的建议", "关于治理城市内涝的建议", "关于发展夜间经济的提案"])
        #expect(tokens(c, "kind") == ["suggestion", "suggestion", "proposal"])
        #expect(report.files[0].skipped == 2)
        // --kind is the person's word: it wins over the headings.
        let (k, _) = try load("notice-city-sections.csv", kind: .proposal)
        #expect(tokens(k.cases, "kind") == ["proposal", "proposal", "proposal"])
    }

    @Test func bestSuggestionsListWithoutIds() throws {
        let (s, _) = try load("best-suggestions.csv", kind: .suggestion)
        let c = s.cases
        #expect(c.count == 3)
        #expect(texts(c, "id") == ["1", "2", "3"])                                  // their place in the list
        #expect(texts(c, "proposer") == ["钱明亮", "许文静", "唐卫东"])
        #expect(texts(c, "unit") == ["市商务局", "市城市管理局", "市城市管理局"])
        #expect(lists(c, CaseRowCheck.sharedLeadField) == [["市商务局"], ["市城市管理局"], ["市城市管理局", "市农业农村局"]])
        #expect(!c.hasData("status") && !c.hasData("assigned_on") && !c.hasData("overdue"))
    }

    @Test func twoRowHeaderUnderMergedGroups() throws {
        let (s, report) = try load("cppcc-district")
        let c = s.cases
        #expect(c.count == 3)
        #expect(tokens(c, "kind") == ["proposal", "proposal", "proposal"])
        #expect(days(c, "replied_on") == ["2021-05-10", "2021-05-20", ""])
        #expect(days(c, "closed_on") == ["2021-06-01", "", ""])
        #expect(tokens(c, "satisfaction") == ["satisfied", "basic", ""])
        #expect(texts(c, "满意度办理结果") == ["满意", "满意", ""])
        #expect(texts(c, "界别") == ["民进", "医卫界", "经济界"])
        #expect(report.warnings.map(\.en).contains { $0.contains("a header of two rows") })
    }

    @Test func paddedHeadersKindsOfTheirOwnAndFullWidthDates() throws {
        let (s, _) = try load("npc-open-source.csv")
        let c = s.cases
        #expect(c.count == 4)
        #expect(texts(c, "title")[0] == "关于制定城市绿化条例的议案")
        #expect(tokens(c, "kind") == ["motion", "inquiry", "public_opinion", "social_opinion"])
        #expect(days(c, "assigned_on") == ["2022-03-05", "2022-03-06", "2022-03-07", "2022-03-08"])
        #expect(days(c, "replied_on") == ["", "2022-04-01", "2022-03-20", ""])
        #expect(tokens(c, "status") == ["in_progress", "replied", "closed", "signed"])
        #expect(c.specs.filter(\.extra).isEmpty)
    }

    @Test func partyGroupListWithRepeatedHeaderAndEmptyRows() throws {
        let (s, report) = try load("party-groups.csv")
        let c = s.cases
        #expect(texts(c, "id") == ["1201", "1202", "1203"])
        #expect(tokens(c, "kind") == ["suggestion", "suggestion", "suggestion"])
        #expect(texts(c, "unit") == ["人民银行", "国铁集团", "人力资源社会保障部"])
        #expect(report.files[0].skipped == 2)
    }

    @Test func htmlTableSavedAsXls() throws {
        let (s, report) = try load("npc-system-export.xls", kind: .suggestion)
        let c = s.cases
        #expect(texts(c, "id") == ["2023001", "2023002", "2023003"])
        #expect(texts(c, "title") == ["关于优化 营商环境的建议", "关于<老年>助餐服务的建议", "关于增设&改造公共厕所的建议\n（续）"])
        #expect(texts(c, "proposer") == ["顾建英", "马骏", "钱明亮"])
        #expect(tokens(c, "status") == ["replied", "in_progress", "closed"])
        #expect(report.warnings.map(\.en).contains { $0.contains("an HTML table saved with an Excel name, read as one") })
    }

    @Test func aMissingTitleOrIdNamesTheHeaderMostLikelyMeant() throws {
        let ds = try TempDataset(["cases.csv": "建议内容,主办单位,办理状态\n关于X的建议,教育局,已答复\n"])
        do { _ = try DatasetLoader.load(ds.path); Issue.record("loaded") } catch let e as LoadError {
            #expect(e.description.contains("missing a column for title (案由) or id (编号); the header most likely meant is \"建议内容\""))
            #expect(!e.description.contains("--lenient"))
        }
    }

    @Test func wordsAndTheirNearestAcceptedSpelling() throws {
        #expect(Resolution.info.loadedCode(of: "A.解决或基本解决") == Resolution.a.rawValue)
        #expect(Resolution.info.loadedCode(of: "B类") == Resolution.b.rawValue)
        #expect(Resolution.info.loadedCode(of: "Ｃ类") == Resolution.c.rawValue)
        #expect(Resolution.info.loadedCode(of: "丙类") == Resolution.c.rawValue)
        #expect(Resolution.info.loadedCode(of: "列入计划拟解决") == Resolution.b.rawValue)
        #expect(Resolution.info.loadedCode(of: "解决或采纳") == Resolution.a.rawValue)
        #expect(Resolution.info.loadedCode(of: "E类") == nil)
        #expect(Satisfaction.info.loadedCode(of: "未表态") == EnumInfo.none)
        #expect(Status.info.nearest(to: "已办覆") == "已办复")
        let ds = try TempDataset(["cases.csv": "编号,案由,办理状态\nC-1,关于X的建议,已答夏\n"])
        do { _ = try DatasetLoader.load(ds.path); Issue.record("loaded") } catch let e as LoadError {
            #expect(e.description.contains("did you mean 已答复?"))
        }
    }

    @Test func yesNoIsOneDeclaration() throws {
        #expect(YesNo.value(of: "有") == true && YesNo.value(of: "无") == false && YesNo.value(of: "Yes") == true)
        #expect(YesNo.value(of: "maybe") == nil)
        let ds = try TempDataset(["cases.csv": "编号,案由,重点督办\nC-1,甲,有\nC-2,乙,无\n"])
        let (s, _) = try DatasetLoader.load(ds.path)
        #expect(s.cases.bool("key_supervised").values == [true, false])
    }

    @Test func peopleAndUnitWordsOnBytes() {
        func person(_ s: String) -> String {
            Array(s.utf8).withUnsafeBufferPointer { String(decoding: CellWords.person($0), as: UTF8.self) }
        }
        #expect(person("顾建英代表") == "顾建英")
        #expect(person("钱明亮等13名代表") == "钱明亮")
        #expect(person("张委员") == "张委员")          // too short to be a name and a title
        #expect(person("民进市委") == "民进市委")
        #expect(person("李等") == "李等")          // a name of one character is none
        #expect(person("王五等") == "王五")
        #expect(CellWords.units(in: "省发展改革委、财政厅等") == ["省发展改革委", "省财政厅"])
        #expect(CellWords.units(in: "市民政局;姑苏区人民政府") == ["市民政局", "姑苏区人民政府"])
        #expect(CellWords.units(in: "国网苏州供电公司、市发改委") == ["国网苏州供电公司", "市发改委"])
        // `person` spells the last characters out in its fast test: each of personEnds reaches
        // the slow path (seen by a count after it being cut).
        for c in CellWords.personEnds where c != "等" {
            #expect(person("张三李四等2" + String(c)) == "张三李四", "\(c)")
        }
    }

    @Test func datesAsSystemsExportThem() {
        #expect(Day("2019-01-08 10:23:45.000")?.description == "2019-01-08")
        #expect(Day("2015/3/12 9:30:00")?.description == "2015-03-12")
        #expect(Day("2020-03-01T08:00")?.description == "2020-03-01")
        #expect(Day("２０２０－０３－０１")?.description == "2020-03-01")
        #expect(Day("２０２２年３月５日")?.description == "2022-03-05")
        #expect(Day("2020-03-01 x") == nil)
        #expect(Day("2020-02-30 10:00") == nil)
    }

    @Test func readmeListsEveryHeaderAlias() throws {
        let readme = try String(contentsOfFile: URL(fileURLWithPath: RealListTests.folder).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md").path, encoding: .utf8)
        for spec in Schema.cases where !spec.aliases.isEmpty {
            let row = readme.split(separator: "\n").first { $0.hasPrefix("| `\(spec.name)` |") } ?? ""
            #expect(row.hasSuffix("| " + spec.aliases.joined(separator: ", ") + " |"), "README's alias row for \(spec.name)")
        }
    }

    @Test func lenientThatKeepsNothingFails() throws {
        let ds = try TempDataset(["cases.csv": "编号,案由,交办日期\nC-1,甲,2020-02-31\nC-2,乙,notadate\n"])
        do { _ = try DatasetLoader.load(ds.path, options: LoadOptions(lenient: true)); Issue.record("loaded") } catch let e as LoadError {
            #expect(e.description.contains("every row was rejected: no case loaded"))
            #expect(!e.description.contains("use --lenient"))
        }
    }

    /// 代表团 and 界别 hold delegations and sectors: kept as text under their headers, never
    /// guessed as the proposer. 办理情况 over prose is kept as text; over statuses it is status.
    @Test func delegationsAreKeptAndProgressProseIsNotStatus() throws {
        let (s, report) = try load("npc-county-progress.csv", kind: .suggestion)
        let c = s.cases
        #expect(c.count == 4)
        #expect(texts(c, "代表团") == ["城南镇代表团", "双桥乡代表团", "城南镇代表团", "石门镇代表团"])
        #expect(texts(c, "办理情况") == ["已召开座谈会，列入2022年改造计划", "已与代表面商，站牌于6月底前完成安装", "正在办理", "已答复，代表满意"])
        #expect(!c.hasData("status"))
        #expect(Schema.field("办理情况", in: c.specs)?.extra == true)
        let note = report.warnings.map(\.en).first { $0.contains("kept as text fields") } ?? ""
        #expect(note.contains("\"代表团\" (a delegation)") && !note.contains("perhaps"))
        #expect(note.contains("\"办理情况\" (its values, such as"))
        let (d, districtReport) = try load("cppcc-district")
        #expect(texts(d.cases, "界别") == ["民进", "医卫界", "经济界"])
        #expect(!(districtReport.warnings.map(\.en).first { $0.contains("kept as text") } ?? "").contains("perhaps proposer"))
        // The same header over statuses is status, a stray word in it an error.
        let (p, _) = try load("notice-province.csv", kind: .suggestion)
        #expect(tokens(p.cases, "status") == ["closed", "in_progress", "replied", "replied"])
        let dir = NSTemporaryDirectory() + "caseql-progress-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "标题,办理情况\nt1,已办结\nt2,办理中\nt3,已办复\nt4,已答夏\n".write(toFile: dir + "/cases.csv", atomically: true, encoding: .utf8)
        #expect(throws: LoadError.self) { try DatasetLoader.load(dir + "/cases.csv") }
        do { _ = try DatasetLoader.load(dir + "/cases.csv") } catch let e as LoadError {
            #expect(e.description.contains("status") && e.description.contains("已答夏"))
        }
    }

    /// A file big enough to be parsed in parts (LoadOptions.parallelLoadThreshold): the heading
    /// of part one still gives its kind to the rows of part two under it, up to the next heading.
    @Test func sectionKindsCrossTheSplitOfALargeFile() throws {
        let dir = NSTemporaryDirectory() + "caseql-sections-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // Rows of about 130 bytes; the second heading three quarters of the way down.
        let rows = (LoadOptions.parallelLoadThreshold / 130) * 5 / 4
        let second = rows * 3 / 4
        var text = "2021年建议提案办理情况表,,,\r\n序号,案由,主办单位,办理情况\r\n一、人大代表建议,,,\r\n"
        for i in 0..<rows {
            if i == second { text += "二、政协委员提案,,,\r\n" }
            text += "\(i + 1),关于改进第\(i + 1)号社区停车和公共服务设施布局的意见与建议事项,市住房和城乡建设局,已办结\r\n"
        }
        let path = dir + "/cases.csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(text.utf8.count > LoadOptions.parallelLoadThreshold)
        var options = LoadOptions()
        options.parallelThreshold = LoadOptions.parallelLoadThreshold
        let (s, report) = try DatasetLoader.load(path, options: options)
        let c = s.cases
        #expect(c.count == rows)
        #expect(report.files[0].skipped == 2)
        let kinds = c.code("kind").codes
        let suggestion = Kind.suggestion.rawValue, proposal = Kind.proposal.rawValue
        let wrong = (0..<rows).filter { kinds[$0] != ($0 < second ? suggestion : proposal) }
        #expect(wrong.count == 0, "\(wrong.count) rows of the wrong kind, the first \(wrong.first ?? -1)")
        // Parsed in one piece, the same kinds.
        var one = LoadOptions()
        one.parallelThreshold = Int.max
        #expect(try DatasetLoader.load(path, options: one).0.cases.code("kind").codes.elementsEqual(kinds))
    }

    /// A province's own category list and resolution words, named by its manifest
    /// (rules.categories, rules.classes): read into them, aliases and all; a word outside the
    /// list is an error with the nearest word of the list.
    @Test func aManifestNamesItsCategoryListAndResolutionWords() throws {
        let (s, _) = try load("npc-province-scheme")
        let c = s.cases
        #expect(tokens(c, "category") == ["农业农村", "城乡建设", "经济建设", "社会事业", "农业农村", "政治法律"])   // 三农 is 农业农村
        #expect(c.code("category").info.tokens == ["经济建设", "城乡建设", "社会事业", "农业农村", "政治法律"])
        #expect(tokens(c, "resolution") == ["A", "C", "B", "C", "C", ""])
        let classes = c.code("resolution").info
        #expect(classes.label(2) == "已列入规划计划逐步解决" && classes.label(1) == "列入计划拟解决")
        #expect(classes.code(of: "暂不能解决") == nil)          // DOMAIN.md's C words are not this province's
        #expect(s.manifest.office.classes == ["A", "B", "C"])
        #expect(s.manifest.remits["省农业农村厅"] == ["农业农村"])
        #expect(s.categoryKey("三农") == "农业农村" && s.category(row: 0).label == "农业农村")

        // A word outside the list: an error naming the nearest.
        let dir = NSTemporaryDirectory() + "caseql-scheme-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let fixture = RealListTests.folder + "/npc-province-scheme"
        try FileManager.default.copyItem(atPath: fixture + "/manifest.json", toPath: dir + "/manifest.json")
        let cases = try String(contentsOfFile: fixture + "/cases.csv", encoding: .utf8)
        try cases.replacingOccurrences(of: ",城乡建设,", with: ",城市建设,").write(toFile: dir + "/cases.csv", atomically: true, encoding: .utf8)
        do {
            _ = try DatasetLoader.load(dir)
            Issue.record("a category outside the list loaded")
        } catch let e as LoadError {
            #expect(e.issues.count == 1 && e.issues[0].line == 3 && e.issues[0].field == "category")
            #expect(e.description.contains("\"城市建设\" is not a category") && e.description.contains("did you mean 城乡建设?"))
        }
        // The same file with the list taken out of the manifest: open text, loaded as written.
        try #"{"kind": "suggestion", "rules": {"classes": ["A", "B", {"class": "C", "label": "已列入规划计划逐步解决", "aliases": ["逐步解决"]}]}}"#
            .write(toFile: dir + "/manifest.json", atomically: true, encoding: .utf8)
        let open = try DatasetLoader.load(dir).0
        #expect(texts(open.cases, "category") == ["三农", "城市建设", "经济建设", "社会事业", "农业农村", "政治法律"])
        #expect(tokens(open.cases, "resolution") == ["A", "C", "B", "C", "C", ""])
    }

    /// The schemes' manifest spellings, and what is refused with a reason.
    @Test func schemeSpellings() throws {
        #expect(try Schemes.resolution("A-C", file: "m").classes == ["A", "B", "C"])
        #expect(try Schemes.resolution("A–D", file: "m").info == Resolution.info)
        #expect(try Schemes.resolution(["A", "B", "C", "D"], file: "m").info == Resolution.info)
        let own = try Schemes.resolution(["A", "B", "C 已列入规划计划逐步解决", "D 留作参考", "E 不予采纳"], file: "m")
        #expect(own.classes == ["A", "B", "C", "D", "E"] && own.info.tokens == ["A", "B", "C", "D", "E"])
        #expect(own.info.loadedCode(of: "E类") == 4 && own.info.loadedCode(of: "已列入规划计划逐步解决") == 2)
        #expect(own.info.loadedCode(of: "甲类") == 0)              // A by its letter alone keeps DOMAIN.md's words
        for bad: Any in ["B-D", "AB", ["A", "A"], ["A", 3], [["class": "C", "labl": "x"]], [String]()] {
            #expect(throws: LoadError.self) { try Schemes.resolution(bad, file: "m") }
        }
        #expect(try Schemes.categories("caseql", file: "m") == Category.info)
        let cats = try Schemes.categories(["城乡建设", ["name": "edu", "label": "教科文卫", "aliases": ["科教文卫"]]], file: "m")
        #expect(cats.code(of: "科教文卫") == 1 && cats.token(1) == "edu")
        for bad: Any in ["zhengzhou", ["城乡建设", "城乡建设"], ["甲", ["label": "乙", "aliases": ["甲"]]], [3], [String]()] {
            #expect(throws: LoadError.self) { try Schemes.categories(bad, file: "m") }
        }
    }

    /// A snapshot of a dataset is not used once its manifest changes: the schemes type columns.
    @Test func aChangedManifestIsNotReadFromTheSnapshot() throws {
        let dir = NSTemporaryDirectory() + "caseql-scheme-cache-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        let fixture = RealListTests.folder + "/npc-province-scheme"
        for f in ["cases.csv", "manifest.json"] { try FileManager.default.copyItem(atPath: fixture + "/" + f, toPath: dir + "/data/" + f) }
        var options = LoadOptions()
        options.cacheDirectory = dir + "/cache"
        _ = try DatasetLoader.load(dir + "/data", options: options)
        #expect(try DatasetLoader.load(dir + "/data", options: options).1.fromSnapshot)
        let manifest = try String(contentsOfFile: dir + "/data/manifest.json", encoding: .utf8)
        try manifest.replacingOccurrences(of: "\"政治法律\"]", with: "\"政治法律\", \"生态环境\"]")
            .write(toFile: dir + "/data/manifest.json", atomically: true, encoding: .utf8)
        let (again, report) = try DatasetLoader.load(dir + "/data", options: options)
        #expect(!report.fromSnapshot)
        #expect(again.cases.code("category").info.tokens.last == "生态环境")
    }

    /// The 分办 lead units, a list field a file brought, come back as a list from the snapshot.
    @Test func sharedLeadUnitsSurviveTheSnapshot() throws {
        let dir = NSTemporaryDirectory() + "caseql-shared-cache-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = LoadOptions()
        options.cacheDirectory = dir
        let fresh = try DatasetLoader.load(RealListTests.folder + "/cppcc-city", options: options).0
        let (again, report) = try DatasetLoader.load(RealListTests.folder + "/cppcc-city", options: options)
        #expect(report.fromSnapshot)
        #expect(lists(again.cases, CaseRowCheck.sharedLeadField) == lists(fresh.cases, CaseRowCheck.sharedLeadField))
        #expect(again.cases.specs.first { $0.name == CaseRowCheck.sharedLeadField }?.type.name == FieldType.textList.name)
    }
}
