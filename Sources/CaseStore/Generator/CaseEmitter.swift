// The hot loop of the generator: decides each case (unit, dates, status, answers) and writes its
// cases.csv row and its events.csv rows as bytes. Every string is encoded once, up front.

/// What a case position is reserved for within its group.
enum CaseRole: UInt8 {
    case plain, recess, key, lunch, educationOverdue, greenKey, digitalKey
}

/// Event notes, resolved to bytes when written.
enum NoteKind: UInt8 {
    case none, assignSession, assignRecess, assignProvincial, assignCarried, assignKey, shirkReason, rightfulReturn,
         returnGranted, reassign, coOpinion, reply, replyLate, replyLunch, replyNamed, feedback,
         close, rehandle, open
}

struct PendingEvent {
    var date: Int32
    var unit: Int16
    var action: EventAction
    var note: NoteKind
    var arg: Int16
}

/// Per unit: counters that make each of its problems show at least once.
struct UnitState {
    var seen = 0
    var shirkTurns = 0
    var unsignedShown = false
    var slowShown = false
    var lateShown = false
    var oldFormShown = false
    var lateOpinionShown = false
    var badResolutions = 0
    var goodClosed = 0
}

/// Encoded parts of the realistic profile's own titles (GeneratorTables.titlePlaces …).
struct TitleParts {
    let districts: [[UInt8]], roads: [[UInt8]], placeSuffixes: [[UInt8]], aspects: [[UInt8]], problems: [[UInt8]]
}

/// The people of the realistic profile, numbered: deputies (人大代表, who file suggestions) first,
/// then members (政协委员, who file proposals).
struct People {
    let deputies: Range<Int>
    let members: Range<Int>
}

struct CaseEmitter {
    let seed: UInt64
    let plan: DatasetGenerator.Plan
    let profile: DatasetGenerator.Profile
    let units = GeneratorTables.units
    let asOf = DatasetGenerator.asOf.raw

    // Encoded vocabulary.
    let unitBytes: [[UInt8]]
    let kindBytes: [[UInt8]], levelBytes: [[UInt8]], proposerTypeBytes: [[UInt8]], categoryBytes: [[UInt8]]
    let statusBytes: [[UInt8]], contactBytes: [[UInt8]], satisfactionBytes: [[UInt8]]
    let resolutionBytes: [[UInt8]], formBytes: [[UInt8]], actionBytes: [[UInt8]]
    let trueBytes = Array("true".utf8), falseBytes = Array("false".utf8)
    let yearBytes = Array("2020".utf8), carriedYearBytes = Array("2019".utf8)
    let dayBase: Int32
    let dayBytes: [[UInt8]]
    /// Deadline (assignment + 3 months) of each day from dayBase on.
    let deadlines: [Int32]
    let surnames: [[UInt8]], givenChars: [[UInt8]]
    let verbs: [[UInt8]], topics: [[[UInt8]]], lunchTopics: [[UInt8]], brands: [[UInt8]], laws: [[UInt8]]
    let leaders: [[UInt8]], genericLeader: [UInt8]
    let parties: [[UInt8]], sectors: [[UInt8]], proposalGroups: [[UInt8]], delegations: [[UInt8]]
    let shirkReasons: [[UInt8]], openNotes: [[UInt8]]
    let idPrefixes: [[UInt8]]
    let idWidths: [Int]

    // Indexes.
    /// Units whose remit holds each category, with cumulative weights.
    let categoryUnits: [[Int]], categoryCumulative: [[Int]], coCumulative: [[Int]]
    let categoryShareCumulative: [Int]
    let education: Int, water: Int, ndrc: Int, naturalResources: Int, agriculture: Int, industryInfo: Int, science: Int

    // State.
    var unitState: [UnitState]
    var events: [PendingEvent] = []
    var scratch: [UInt8] = []
    var lunchSeen = 0
    /// Own titles made so far per category (realistic profile).
    var titlesMade = Array(repeating: 0, count: Category.allCases.count)
    let titleParts: TitleParts
    let people: People
    var caseRow: RowBuilder, eventRow: RowBuilder
    let cf: CaseSlots, ef: EventSlots

    init(seed: UInt64, plan: DatasetGenerator.Plan, profile: DatasetGenerator.Profile,
         caseFields: [FieldSpec] = Schema.cases, eventFields: [FieldSpec] = Schema.events) {
        self.seed = seed
        self.plan = plan
        self.profile = profile
        caseRow = RowBuilder(caseFields); eventRow = RowBuilder(eventFields)
        cf = CaseSlots(caseRow); ef = EventSlots(eventRow)
        func enc(_ s: String) -> [UInt8] { Array(s.utf8) }
        func tokens(_ info: EnumInfo) -> [[UInt8]] { info.values.map { enc($0.token) } }
        let units = GeneratorTables.units
        unitBytes = units.map { enc($0.name) }
        kindBytes = tokens(Kind.info); levelBytes = tokens(Level.info)
        proposerTypeBytes = tokens(ProposerType.info); categoryBytes = tokens(Category.info)
        statusBytes = tokens(Status.info); contactBytes = tokens(Contact.info)
        satisfactionBytes = tokens(Satisfaction.info); resolutionBytes = tokens(Resolution.info)
        formBytes = tokens(FormVersion.info); actionBytes = tokens(EventAction.info)
        let first = Day(year: 2019, month: 1, day: 1)!.raw, last = Day(year: 2021, month: 12, day: 31)!.raw
        dayBase = first
        dayBytes = (first...last).map { enc(Day(raw: $0).description) }
        deadlines = (first...last).map { Day(raw: $0).adding(months: 3).raw }
        surnames = GeneratorTables.surnames.map { enc(String($0)) }
        givenChars = GeneratorTables.givenChars.map { enc(String($0)) }
        verbs = GeneratorTables.verbs.map(enc)
        topics = GeneratorTables.topics.map { $0.map(enc) }
        lunchTopics = GeneratorTables.lunchTopics.map(enc)
        brands = GeneratorTables.brands.map(enc); laws = GeneratorTables.laws.map(enc)
        leaders = GeneratorTables.leaders.map(enc); genericLeader = enc(GeneratorTables.genericLeader)
        parties = GeneratorTables.parties.map(enc); sectors = GeneratorTables.sectors.map(enc)
        proposalGroups = GeneratorTables.proposalGroups.map(enc); delegations = GeneratorTables.delegations.map(enc)
        shirkReasons = GeneratorTables.shirkReasons.map(enc); openNotes = GeneratorTables.openNotes.map(enc)
        titleParts = TitleParts(districts: GeneratorTables.titleDistricts.map(enc), roads: GeneratorTables.titleRoads.map(enc),
                                placeSuffixes: GeneratorTables.titlePlaceSuffixes.map(enc),
                                aspects: GeneratorTables.titleAspects.map(enc), problems: GeneratorTables.titleProblems.map(enc))
        // About 2.5 cases a person: the people filing suggestions (all but the 4% from delegations,
        // with half the provincial cases) and proposals (all but the 12% from parties, sectors and
        // groups, with the other half) divided by 2.5.
        let deputies = max(8, (plan.suggestions + plan.provincial / 2) * 96 / 250)
        let members = max(8, (plan.proposals + plan.carriedOver + plan.provincial - plan.provincial / 2) * 88 / 250)
        people = People(deputies: 0..<deputies, members: deputies..<(deputies + members))
        idPrefixes = ["SJ-2020-", "SRJY-2020-", "SZXTA-2020-", "SZXTA-2019-"].map(enc)
        idWidths = [plan.provincial, plan.suggestions, plan.proposals, plan.carriedOver].map { max(4, String($0).count) }

        let weight = profile == .realistic ? GeneratorTables.zipfWeights : units.map(\.weight)
        var cu: [[Int]] = [], cc: [[Int]] = [], co: [[Int]] = []
        for c in Category.allCases {
            let members = units.indices.filter { units[$0].remit.contains(c) }
            cu.append(members)
            var sum = 0, coSum = 0
            cc.append(members.map { sum += weight[$0]; return sum })
            co.append(members.map {
                coSum += weight[$0] * (units[$0].problems.contains(.lateCoOpinion) ? 3 : 1); return coSum
            })
        }
        categoryUnits = cu; categoryCumulative = cc; coCumulative = co
        var s = 0
        categoryShareCumulative = GeneratorTables.categoryShare.map { s += $0; return s }
        func index(_ name: String) -> Int { GeneratorTables.units.firstIndex { $0.name == name }! }
        education = index("教育局"); water = index("水利局"); ndrc = index("发展改革委")
        naturalResources = index("自然资源和规划局"); agriculture = index("农业农村局")
        industryInfo = index("工信局"); science = index("科技局")
        unitState = Array(repeating: UnitState(), count: units.count)
        events.reserveCapacity(16)
        scratch.reserveCapacity(512)
    }

    // MARK: roles

    /// The role of every position of one group: recess cases last (they were submitted after the
    /// session), the other roles spread evenly over the rest.
    static func roles(count n: Int, recess: Int, placements: [(CaseRole, Int)]) -> [CaseRole] {
        var roles = Array(repeating: CaseRole.plain, count: n)
        let head = n - recess
        for i in head..<n { roles[i] = .recess }
        for (role, k) in placements where k > 0 && head > 0 {
            for j in 0..<k {
                var p = (2 * j + 1) * head / (2 * k)
                var tries = 0
                while roles[p] != .plain && tries < head { p = (p + 1) % head; tries += 1 }
                if roles[p] == .plain { roles[p] = role }
            }
        }
        return roles
    }

    mutating func run(cases: inout FileSink, events out: inout FileSink) {
        let p = plan
        let keyProposals = max(0, p.keyProposals - 2)
        let named: [(CaseRole, Int)] = [(.greenKey, min(1, p.keyProposals)), (.digitalKey, p.keyProposals >= 2 ? 1 : 0)]
        let groups: [[CaseRole]] = [
            CaseEmitter.roles(count: p.provincial, recess: 0, placements: [(.lunch, p.lunch[0])]),
            CaseEmitter.roles(count: p.suggestions, recess: p.recessSuggestions,
                              placements: [(.key, p.keySuggestions), (.lunch, p.lunch[1])]),
            CaseEmitter.roles(count: p.proposals, recess: p.recessProposals,
                              placements: named + [(.key, keyProposals), (.lunch, p.lunch[2]),
                                                   (.educationOverdue, p.educationOverdue)]),
            Array(repeating: .plain, count: p.carriedOver),
        ]
        var row = 0
        for (g, roles) in groups.enumerated() {
            for (i, role) in roles.enumerated() {
                emit(group: g, index: i, role: role, row: row, cases: &cases, events: &out)
                row += 1
            }
        }
    }

    // MARK: one case

    /// The windows of assignment dates (交办).
    struct Dates {
        static func day(_ m: Int, _ d: Int) -> Int32 { Day(year: 2020, month: m, day: d)!.raw }
        /// The three batches of the 交办会 after the sessions.
        let batches = (day(3, 26), day(4, 9), day(4, 23))
        let sessionFrom = day(3, 20), sessionTo = day(5, 29)
        let provincialFrom = day(3, 25), provincialTo = day(5, 20)
        /// Recess cases (闭会建议/提案), late enough that good units can still close them by 2020-09-17.
        let recessFrom = day(6, 5), recessTo = day(8, 14)
    }
    let dates = Dates()

    mutating func emit(group g: Int, index i: Int, role: CaseRole, row: Int,
                       cases out: inout FileSink, events evOut: inout FileSink) {
        var rng = SplitMix64(seed: seed, stream: UInt64(row))
        events.removeAll(keepingCapacity: true)
        let level: Level = g == 0 ? .province : .city
        let kind: Kind = g == 0 ? (i % 2 == 0 ? .suggestion : .proposal) : (g == 1 ? .suggestion : .proposal)
        let carried = g == 3
        let recess = role == .recess
        let session = !recess

        // Category and unit.
        var category: Category
        var unit: Int
        var co0 = -1, co1 = -1
        switch role {
        case .lunch, .educationOverdue:
            category = .education; unit = education
        case .greenKey:
            category = .ecology; unit = water; co0 = naturalResources; co1 = agriculture
        case .digitalKey:
            category = .industry; unit = ndrc; co0 = industryInfo; co1 = science
        default:
            category = Category(rawValue: UInt8(rng.weighted(categoryShareCumulative)))!
            let c = Int(category.rawValue)
            unit = categoryUnits[c][rng.weighted(categoryCumulative[c])]
        }
        let c = Int(category.rawValue)
        let key = role == .key || role == .greenKey || role == .digitalKey
        let special = role == .lunch || role == .educationOverdue || role == .greenKey || role == .digitalKey

        // Assignment date and deadline.
        let assigned: Int32
        if recess {
            assigned = Int32(rng.int(Int(dates.recessFrom), Int(dates.recessTo)))
        } else if g == 0 {
            assigned = Int32(rng.int(Int(dates.provincialFrom), Int(dates.provincialTo)))
        } else if special {
            assigned = dates.batches.1
        } else if rng.chance(0.6) {
            let b = rng.below(3)
            assigned = b == 0 ? dates.batches.0 : (b == 1 ? dates.batches.1 : dates.batches.2)
        } else {
            assigned = Int32(rng.int(Int(dates.sessionFrom), Int(dates.sessionTo)))
        }
        let deadline = deadlines[Int(assigned - dayBase)]

        // Returns: 推诿扯皮 by units that shirk, rightful returns of misassigned cases elsewhere.
        var firstUnit = unit
        enum Return { case none, granted, pending, rightful }
        var ret = Return.none
        if !special {
            let u = units[unit]
            if u.problems.contains(.shirksReturns) {
                let turn = unitState[unit].shirkTurns
                unitState[unit].shirkTurns += 1
                if turn == 0 && session { ret = .granted }
                else if turn == 1 { ret = .pending }
                else if rng.chance(0.25) { ret = session && rng.chance(0.65) ? .granted : .pending }
                if ret == .granted {
                    // Another unit with the category in its remit takes it over.
                    let members = categoryUnits[c].filter { $0 != unit && !units[$0].problems.contains(.shirksReturns) }
                    if members.isEmpty { ret = .pending } else { unit = members[rng.below(members.count)] }
                }
            } else if !u.good && session && rng.chance(0.012) {
                let wrong = units.indices.filter {
                    !units[$0].good && !units[$0].problems.contains(.shirksReturns) && !units[$0].remit.contains(category)
                }
                if !wrong.isEmpty { firstUnit = wrong[rng.below(wrong.count)]; ret = .rightful }
            }
        }

        // Leader.
        var leader: [UInt8] = []
        if key {
            switch role {
            case .greenKey: leader = leaders[Int(Category.ecology.rawValue)]
            case .digitalKey: leader = leaders[Int(Category.general.rawValue)]
            default: leader = rng.chance(0.2) ? genericLeader : leaders[c]
            }
        }

        // Status.
        let u = units[unit]
        let good = u.good
        unitState[unit].seen += 1
        var status: Status = .closed
        var contradiction = false
        var lateReply = false
        if role == .educationOverdue {
            status = .inProgress
        } else if ret == .pending {
            status = .returnRequested
        } else if !good {
            if u.problems.contains(.unsigned) && ret == .none && (!unitState[unit].unsignedShown || rng.chance(0.1)) {
                status = .assigned; unitState[unit].unsignedShown = true
            } else if u.problems.contains(.badResolution)
                        && (unitState[unit].badResolutions == 0 || rng.chance(0.15)) {
                contradiction = true
                status = unitState[unit].badResolutions % 2 == 0 ? .replied : .inProgress
                unitState[unit].badResolutions += 1
            } else if (u.problems.contains(.slow) && session && (!unitState[unit].slowShown || rng.chance(0.2)))
                        || rng.chance(0.02) {
                status = rng.chance(0.7) ? .inProgress : .signed
                if session && u.problems.contains(.slow) { unitState[unit].slowShown = true }
            } else {
                let r = rng.below(1000)
                status = r < 70 ? .replied : (r < 85 ? .rehandling : .closed)
                if u.problems.contains(.lateReply) && session && (!unitState[unit].lateShown || rng.chance(0.25)) {
                    lateReply = true; unitState[unit].lateShown = true
                }
            }
        }

        // Signing and returns.
        var signed = Day.none
        var firstSign = Day.none
        if status != .assigned {
            let delay = good ? rng.int(1, 3) : (u.problems.contains(.unsigned) ? rng.int(3, 15) : rng.int(1, 6))
            firstSign = assigned + Int32(delay)
            signed = firstSign
        }
        events.append(PendingEvent(date: assigned, unit: Int16(firstUnit), action: .assign,
                                   note: key ? .assignKey : (g == 0 ? .assignProvincial
                                       : (recess ? .assignRecess : (carried ? .assignCarried : .assignSession))),
                                   arg: 0))
        if status != .assigned {
            events.append(PendingEvent(date: firstSign, unit: Int16(firstUnit), action: .sign,
                                       note: role == .educationOverdue ? .open : .none, arg: Int16(rng.below(openNotes.count))))
        }
        switch ret {
        case .none: break
        case .pending:
            let req = min(firstSign + Int32(rng.int(2, 12)), asOf)
            events.append(PendingEvent(date: req, unit: Int16(firstUnit), action: .returnRequest,
                                       note: .shirkReason, arg: Int16(rng.below(shirkReasons.count))))
        case .granted, .rightful:
            let shirk = ret == .granted
            let req = firstSign + Int32(shirk ? rng.int(2, 12) : rng.int(1, 4))
            let back = req + Int32(rng.int(1, 3))
            signed = back + Int32(rng.int(1, 3))
            events.append(PendingEvent(date: req, unit: Int16(firstUnit), action: .returnRequest,
                                       note: shirk ? .shirkReason : .rightfulReturn, arg: Int16(rng.below(shirkReasons.count))))
            events.append(PendingEvent(date: back, unit: Int16(firstUnit), action: .return, note: .returnGranted, arg: 0))
            events.append(PendingEvent(date: back, unit: Int16(unit), action: .reassign, note: .reassign, arg: Int16(unit)))
            events.append(PendingEvent(date: signed, unit: Int16(unit), action: .sign, note: .none, arg: 0))
        }

        // Co-handling units and their opinions (会办意见).
        let handled = status == .inProgress || status == .replied || status == .closed || status == .rehandling
        if handled && ret == .none && !special {
            if !good && session, let late = categoryUnits[c].first(where: {
                $0 != unit && units[$0].problems.contains(.lateCoOpinion) && !unitState[$0].lateOpinionShown
            }) {
                co0 = late; unitState[late].lateOpinionShown = true
            } else if rng.chance(0.10) {
                co0 = pickCoUnit(category: c, lead: unit, good: good, other: -1, rng: &rng)
                if co0 >= 0 && rng.chance(0.3) { co1 = pickCoUnit(category: c, lead: unit, good: good, other: co0, rng: &rng) }
            }
        } else if !handled {
            co0 = -1; co1 = -1
        }
        var lastOpinion = signed
        for k in 0..<2 {
            let co = k == 0 ? co0 : co1
            if co < 0 { continue }
            let late = units[co].problems.contains(.lateCoOpinion)
            let d = assigned + Int32(late ? rng.int(32, 70) : rng.int(7, 28))
            if d <= asOf {
                events.append(PendingEvent(date: d, unit: Int16(co), action: .reply, note: .coOpinion, arg: Int16(unit)))
                lastOpinion = max(lastOpinion, d)
            }
        }

        // Reply, feedback, close.
        var replied = Day.none, closed = Day.none
        var contact = EnumInfo.none, satisfaction = EnumInfo.none, resolution = EnumInfo.none, form = EnumInfo.none
        if status == .replied || status == .closed || status == .rehandling {
            let lo = max(signed + 7, lastOpinion + 2)
            var hi = min(deadline - 1, asOf - 3)
            var from = lo
            if lateReply {
                from = max(lo, deadline + 1)
                hi = asOf - 1
                if status != .replied && from > asOf - 3 { status = .replied }
                if status != .replied { hi = asOf - 3 }
            }
            if from > hi {
                if good { from = hi } else { status = .inProgress }
            }
            if status != .inProgress {
                let r = Int32(rng.int(Int(from), Int(hi)))
                replied = r
                contact = chooseContact(good: good || role == .lunch, rng: &rng)
                if role == .lunch || role == .greenKey || role == .digitalKey { contact = Contact.meeting.rawValue }
                let replyNote: NoteKind = role == .lunch ? .replyLunch
                    : (role == .greenKey || role == .digitalKey) ? .replyNamed : (r > deadline ? .replyLate : .reply)
                switch status {
                case .replied:
                    events.append(PendingEvent(date: r, unit: Int16(unit), action: .reply, note: replyNote, arg: Int16(contact)))
                    if !contradiction && r < asOf && rng.chance(0.5) {
                        satisfaction = rng.chance(0.8) ? Satisfaction.satisfied.rawValue : Satisfaction.basic.rawValue
                        form = chooseForm(unit: unit, rng: &rng)
                        let f = Int32(rng.int(Int(r) + 1, min(Int(r) + 6, Int(asOf))))
                        events.append(PendingEvent(date: f, unit: Int16(unit), action: .feedback, note: .feedback,
                                                   arg: Int16(satisfaction) * 2 + Int16(form)))
                    }
                    if contradiction { resolution = Resolution.a.rawValue }
                case .rehandling:
                    events.append(PendingEvent(date: r, unit: Int16(unit), action: .reply, note: replyNote, arg: Int16(contact)))
                    satisfaction = Satisfaction.unsatisfied.rawValue
                    form = chooseForm(unit: unit, rng: &rng)
                    let f = Int32(rng.int(Int(r) + 1, min(Int(r) + 5, Int(asOf) - 1)))
                    let again = Int32(rng.int(Int(f), min(Int(f) + 2, Int(asOf))))
                    events.append(PendingEvent(date: f, unit: Int16(unit), action: .feedback, note: .feedback,
                                               arg: Int16(satisfaction) * 2 + Int16(form)))
                    events.append(PendingEvent(date: again, unit: Int16(unit), action: .rehandle, note: .rehandle, arg: 0))
                default: // closed
                    var final = r
                    if !good && !special && r <= min(asOf, deadline) - 45 && rng.chance(0.05) {
                        // Re-handled once after an 不满意 answer, then closed.
                        let f1 = r + Int32(rng.int(1, 5))
                        let again = f1 + Int32(rng.int(0, 2))
                        let r2 = again + Int32(rng.int(10, 25))
                        events.append(PendingEvent(date: r, unit: Int16(unit), action: .reply, note: replyNote, arg: Int16(contact)))
                        events.append(PendingEvent(date: f1, unit: Int16(unit), action: .feedback, note: .feedback,
                                                   arg: Int16(Satisfaction.unsatisfied.rawValue) * 2 + Int16(chooseFormPeek(unit: unit))))
                        events.append(PendingEvent(date: again, unit: Int16(unit), action: .rehandle, note: .rehandle, arg: 0))
                        final = r2
                    }
                    replied = final
                    events.append(PendingEvent(date: final, unit: Int16(unit), action: .reply,
                                               note: final == r ? replyNote : (final > deadline ? .replyLate : .reply),
                                               arg: Int16(contact)))
                    satisfaction = chooseSatisfaction(unit: unit, good: good, role: role, rng: &rng)
                    form = chooseForm(unit: unit, rng: &rng)
                    let f = Int32(rng.int(Int(final) + 1, min(Int(final) + 6, Int(asOf) - 1)))
                    let done = Int32(rng.int(Int(f), min(Int(f) + 4, Int(asOf))))
                    closed = done
                    events.append(PendingEvent(date: f, unit: Int16(unit), action: .feedback, note: .feedback,
                                               arg: Int16(satisfaction) * 2 + Int16(form)))
                    events.append(PendingEvent(date: done, unit: Int16(unit), action: .close, note: .close, arg: 0))
                    resolution = chooseResolution(satisfaction: satisfaction, role: role, rng: &rng)
                }
            }
        }
        if status == .inProgress {
            if role == .educationOverdue { contact = Contact.meeting.rawValue }
            else if rng.chance(0.5) { contact = chooseContact(good: good, rng: &rng) }
            if contradiction { resolution = rng.chance(0.6) ? Resolution.a.rawValue : Resolution.b.rawValue }
        }

        // Write the case row, each cell by its field's name.
        writeID(group: g, index: i)
        caseRow.put(cf.id, scratch)
        caseRow.put(cf.kind, kindBytes[Int(kind.rawValue)])
        caseRow.put(cf.level, levelBytes[Int(level.rawValue)])
        caseRow.put(cf.recess, recess ? trueBytes : falseBytes)
        caseRow.put(cf.year, carried ? carriedYearBytes : yearBytes)
        writeTitle(kind: kind, category: c, role: role, row: row, rng: &rng)
        writeProposer(kind: kind, role: role, rng: &rng)
        caseRow.put(cf.category, categoryBytes[c])
        caseRow.put(cf.unit, unitBytes[unit])
        scratch.removeAll(keepingCapacity: true)
        if co0 >= 0 { scratch += unitBytes[co0] }
        if co1 >= 0 { scratch.append(UInt8(ascii: ";")); scratch += unitBytes[co1] }
        caseRow.put(cf.coUnits, scratch)
        caseRow.put(cf.keySupervised, key ? trueBytes : falseBytes)
        caseRow.put(cf.leader, leader)
        putDay(assigned, cf.assignedOn)
        putDay(signed, cf.signedOn)
        putDay(deadline, cf.deadline)
        putDay(replied, cf.repliedOn)
        putDay(closed, cf.closedOn)
        caseRow.put(cf.status, statusBytes[Int(status.rawValue)])
        putCode(contact, contactBytes, cf.contact)
        putCode(satisfaction, satisfactionBytes, cf.satisfaction)
        putCode(resolution, resolutionBytes, cf.resolution)
        putCode(form, formBytes, cf.form)
        caseRow.write(to: &out)

        // Write the events in date order (stable: the order of the steps breaks ties).
        if events.count > 1 {
            for k in 1..<events.count {
                let e = events[k]
                var j = k
                while j > 0 && events[j - 1].date > e.date { events[j] = events[j - 1]; j -= 1 }
                events[j] = e
            }
        }
        writeID(group: g, index: i)
        let id = scratch
        for e in events {
            eventRow.put(ef.caseID, id)
            if e.date != Day.none { eventRow.put(ef.date, dayBytes[Int(e.date - dayBase)]) }
            eventRow.put(ef.unit, unitBytes[Int(e.unit)])
            eventRow.put(ef.action, actionBytes[Int(e.action.rawValue)])
            writeNote(e, leader: leader)
            eventRow.write(to: &evOut)
        }
    }

    // MARK: choices

    func pickCoUnit(category c: Int, lead: Int, good: Bool, other: Int, rng: inout SplitMix64) -> Int {
        for _ in 0..<8 {
            let u = categoryUnits[c][rng.weighted(coCumulative[c])]
            if u == lead || u == other { continue }
            if good && units[u].problems.contains(.lateCoOpinion) { continue }
            return u
        }
        return -1
    }

    func chooseContact(good: Bool, rng: inout SplitMix64) -> UInt8 {
        let r = rng.below(100)
        if good { return r < 40 ? Contact.meeting.rawValue : (r < 75 ? Contact.visit.rawValue : Contact.site.rawValue) }
        if r < 28 { return Contact.meeting.rawValue }
        if r < 52 { return Contact.visit.rawValue }
        if r < 66 { return Contact.site.rawValue }
        if r < 88 { return Contact.phone.rawValue }
        return Contact.letter.rawValue
    }

    /// The form version a unit would use, without spending randomness (for earlier rounds).
    func chooseFormPeek(unit: Int) -> UInt8 {
        units[unit].problems.contains(.oldForm) ? FormVersion.old.rawValue : FormVersion.new.rawValue
    }

    mutating func chooseForm(unit: Int, rng: inout SplitMix64) -> UInt8 {
        guard units[unit].problems.contains(.oldForm) else { return FormVersion.new.rawValue }
        if !unitState[unit].oldFormShown || rng.chance(0.6) {
            unitState[unit].oldFormShown = true
            return FormVersion.old.rawValue
        }
        return FormVersion.new.rawValue
    }

    mutating func chooseSatisfaction(unit: Int, good: Bool, role: CaseRole, rng: inout SplitMix64) -> UInt8 {
        if role == .lunch || role == .greenKey || role == .digitalKey { return Satisfaction.satisfied.rawValue }
        let r = rng.below(1000)
        if good {
            // At most one 不满意 in 400 closed cases of a good unit: its rate stays above 99.7%.
            unitState[unit].goodClosed += 1
            if unitState[unit].goodClosed % 400 == 0 { return Satisfaction.unsatisfied.rawValue }
            return r < 850 ? Satisfaction.satisfied.rawValue : Satisfaction.basic.rawValue
        }
        return r < 740 ? Satisfaction.satisfied.rawValue : (r < 970 ? Satisfaction.basic.rawValue : Satisfaction.unsatisfied.rawValue)
    }

    func chooseResolution(satisfaction: UInt8, role: CaseRole, rng: inout SplitMix64) -> UInt8 {
        if role == .lunch || role == .greenKey || role == .digitalKey { return Resolution.a.rawValue }
        let r = rng.below(100)
        if satisfaction == Satisfaction.unsatisfied.rawValue { return r < 60 ? Resolution.c.rawValue : Resolution.d.rawValue }
        return r < 50 ? Resolution.a.rawValue : (r < 80 ? Resolution.b.rawValue : (r < 92 ? Resolution.c.rawValue : Resolution.d.rawValue))
    }

    // MARK: writing

    /// Sets a date cell of the case row (empty for Day.none).
    @inline(__always)
    mutating func putDay(_ d: Int32, _ slot: Int) {
        if d != Day.none { caseRow.put(slot, dayBytes[Int(d - dayBase)]) }
    }

    /// Sets an enum cell of the case row (empty for EnumInfo.none).
    @inline(__always)
    mutating func putCode(_ code: UInt8, _ table: [[UInt8]], _ slot: Int) {
        if code != EnumInfo.none { caseRow.put(slot, table[Int(code)]) }
    }

    /// The case's id, into `scratch`.
    mutating func writeID(group g: Int, index i: Int) {
        scratch.removeAll(keepingCapacity: true)
        scratch += idPrefixes[g]
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = i + 1, k = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat { d[k] = UInt8(48 + n % 10); n /= 10; k += 1 } while n > 0
            var w = k
            while w < idWidths[g] { scratch.append(48); w += 1 }
            while k > 0 { k -= 1; scratch.append(d[k]) }
        }
    }

    private static let guanyu = Array("关于".utf8), de = Array("的".utf8)
    private static let suffixes = [Array("建议".utf8), Array("提案".utf8)]
    private static let further = Array("关于进一步加强".utf8), gainsTail = Array(",切实提升群众获得感的".utf8)
    private static let buildBrand = Array("关于打造\"".utf8), brandTail = Array("\"城市品牌的".utf8)
    private static let pushQuote = Array("关于推进“".utf8), quoteTail = Array("”建设的".utf8)
    private static let implement = Array("关于贯彻落实《".utf8), lawTail = Array("》".utf8)
    private static let counties = Array("关于在县（市）区".utf8)
    private static let greenTitle = Array(GeneratorTables.greenTitle.utf8)
    private static let digitalTitle = Array(GeneratorTables.digitalTitle.utf8)

    mutating func writeTitle(kind: Kind, category c: Int, role: CaseRole, row: Int, rng: inout SplitMix64) {
        let suffix = CaseEmitter.suffixes[Int(kind.rawValue)]
        scratch.removeAll(keepingCapacity: true)
        switch role {
        case .greenKey: caseRow.put(cf.title, CaseEmitter.greenTitle); return
        case .digitalKey: caseRow.put(cf.title, CaseEmitter.digitalTitle); return
        case .lunch:
            scratch += CaseEmitter.guanyu; scratch += lunchTopics[lunchSeen % lunchTopics.count]
            scratch += CaseEmitter.de; scratch += suffix
            lunchSeen += 1
            caseRow.put(cf.title, scratch); return
        default: break
        }
        let topic = topics[c][rng.below(topics[c].count)]
        let verb = verbs[rng.below(verbs.count)]
        var variant = -1
        if row < 5 {
            variant = row
        } else if profile == .realistic {
            // 94% a title of its own, 4% a common one (several deputies on one topic), 2% the
            // quoting templates.
            let r = rng.below(100)
            if r >= 6 { writeOwnTitle(category: c, suffix: suffix); caseRow.put(cf.title, scratch); return }
            if r >= 4 { variant = 1 + rng.below(4) }
        } else if rng.chance(0.04) {
            variant = rng.below(5)
        }
        switch variant {
        case 0:
            scratch += CaseEmitter.further; scratch += topic; scratch += CaseEmitter.gainsTail; scratch += suffix
        case 1:
            scratch += CaseEmitter.buildBrand; scratch += brands[rng.below(brands.count)]
            scratch += CaseEmitter.brandTail; scratch += suffix
        case 2:
            scratch += CaseEmitter.pushQuote; scratch += brands[rng.below(brands.count)]
            scratch += CaseEmitter.quoteTail; scratch += suffix
        case 3:
            scratch += CaseEmitter.implement; scratch += laws[rng.below(laws.count)]; scratch += CaseEmitter.lawTail
            scratch += verb; scratch += topic; scratch += CaseEmitter.de; scratch += suffix
        case 4:
            scratch += CaseEmitter.counties; scratch += verb; scratch += topic; scratch += CaseEmitter.de; scratch += suffix
        default:
            scratch += CaseEmitter.guanyu; scratch += verb; scratch += topic; scratch += CaseEmitter.de; scratch += suffix
        }
        caseRow.put(cf.title, scratch)
    }

    private static let solve = Array("关于解决".utf8), within = Array("中".utf8), problemTail = Array("问题的".utf8)

    /// A title of its own (realistic profile), into `scratch`: the k-th of its category is the
    /// k-th combination of place × topic × frame in an order scrambled by the seed, so no two
    /// are equal until a category has more cases than combinations (over 3 million each).
    mutating func writeOwnTitle(category c: Int, suffix: [UInt8]) {
        let t = titleParts
        let places = t.districts.count * (1 + t.roads.count * t.placeSuffixes.count)
        let frames = verbs.count * t.aspects.count + t.problems.count
        let space = places * topics[c].count * frames
        let k = titlesMade[c] % space
        titlesMade[c] += 1
        // A bijection of 0..<space: multiplying by a prime larger than space, plus an offset.
        // (Each category its own offset, so that the k-th titles of two categories differ in place.)
        let offset = Int((seed &+ UInt64(c) &* 0x9E37_79B9_7F4A_7C15) % UInt64(space))
        var x = (k * (1_000_000_007 % space) + offset) % space
        let place = x % places; x /= places
        let topic = topics[c][x % topics[c].count]; x /= topics[c].count
        let frame = x
        var placeBytes = t.districts[place % t.districts.count]
        let q = place / t.districts.count
        if q > 0 {
            placeBytes += t.roads[(q - 1) % t.roads.count]
            placeBytes += t.placeSuffixes[(q - 1) / t.roads.count]
        }
        if frame < verbs.count * t.aspects.count {
            scratch += CaseEmitter.guanyu; scratch += verbs[frame % verbs.count]; scratch += placeBytes
            scratch += topic; scratch += t.aspects[frame / verbs.count]
            scratch += CaseEmitter.de; scratch += suffix
        } else {
            scratch += CaseEmitter.solve; scratch += placeBytes; scratch += topic; scratch += CaseEmitter.within
            scratch += t.problems[frame - verbs.count * t.aspects.count]
            scratch += CaseEmitter.problemTail; scratch += suffix
        }
    }

    private static let greenProposer = Array(GeneratorTables.greenProposer.utf8)
    private static let digitalProposer = Array(GeneratorTables.digitalProposer.utf8)

    /// Writes proposer, proposer_type and cosigners.
    mutating func writeProposer(kind: Kind, role: CaseRole, rng: inout SplitMix64) {
        var type: ProposerType
        switch role {
        case .greenKey:
            caseRow.put(cf.proposer, CaseEmitter.greenProposer)
            caseRow.put(cf.proposerType, proposerTypeBytes[Int(ProposerType.party.rawValue)])
            return
        case .digitalKey:
            caseRow.put(cf.proposer, CaseEmitter.digitalProposer)
            caseRow.put(cf.proposerType, proposerTypeBytes[Int(ProposerType.sector.rawValue)])
            return
        default: break
        }
        let r = rng.below(100)
        if kind == .suggestion {
            if r < 4 { type = .group; caseRow.put(cf.proposer, delegations[rng.below(delegations.count)]) } else { type = .deputy }
        } else if r < 6 {
            type = .party; caseRow.put(cf.proposer, parties[rng.below(parties.count)])
        } else if r < 10 {
            type = .sector; caseRow.put(cf.proposer, sectors[rng.below(sectors.count)])
        } else if r < 12 {
            type = .group; caseRow.put(cf.proposer, proposalGroups[rng.below(proposalGroups.count)])
        } else {
            type = kind == .suggestion ? .deputy : .member
        }
        let person = type == .deputy || type == .member
        // Realistic profile: people of one body (deputies file suggestions, members proposals).
        let body = kind == .suggestion ? people.deputies : people.members
        var who = 0
        if person {
            scratch.removeAll(keepingCapacity: true)
            if profile == .realistic {
                who = body.lowerBound + rng.below(body.count)
                appendName(person: who)
            } else {
                appendName(&rng)
            }
            caseRow.put(cf.proposer, scratch)
        }
        caseRow.put(cf.proposerType, proposerTypeBytes[Int(type.rawValue)])
        scratch.removeAll(keepingCapacity: true)
        if person && rng.chance(0.65) {
            let n = rng.int(1, 5)
            if profile == .realistic {
                appendCosigners(n, of: who, in: body, &rng)
            } else {
                for k in 0..<n {
                    if k > 0 { scratch.append(UInt8(ascii: ";")) }
                    appendName(&rng)
                }
            }
        }
        caseRow.put(cf.cosigners, scratch)
    }

    mutating func appendName(_ rng: inout SplitMix64) {
        scratch += surnames[rng.below(surnames.count)]
        scratch += givenChars[rng.below(givenChars.count)]
        if rng.chance(0.65) { scratch += givenChars[rng.below(givenChars.count)] }
    }

    /// The name of person `p` (realistic profile): people are numbered, and number p's name is
    /// the p-th of surname × given × given in an order scrambled by the seed, so different people
    /// have different names until the bodies outgrow that space (about a million); three in ten
    /// use only the first given character, as two-character names do (those repeat sooner).
    mutating func appendName(person p: Int) {
        let space = surnames.count * givenChars.count * givenChars.count
        var x = ((p % space) * (1_000_000_007 % space) + Int(seed % UInt64(space))) % space
        scratch += surnames[x % surnames.count]; x /= surnames.count
        scratch += givenChars[x % givenChars.count]; x /= givenChars.count
        if (UInt64(p) &* 0x9E37_79B9_7F4A_7C15) >> 40 % 100 >= 30 { scratch += givenChars[x] }
    }

    /// n cosigners from the proposer's own delegation or group: people of the same body numbered
    /// within 50 after the proposer (wrapping), each once, never the proposer.
    mutating func appendCosigners(_ n: Int, of who: Int, in body: Range<Int>, _ rng: inout SplitMix64) {
        let size = body.count
        let room = min(50, size - 1)
        guard room > 0 else { return }
        var chosen: [Int] = []
        for _ in 0..<min(n, room) {
            var other: Int
            repeat {
                other = body.lowerBound + (who - body.lowerBound + 1 + rng.below(room)) % size
            } while chosen.contains(other)
            chosen.append(other)
            if chosen.count > 1 { scratch.append(UInt8(ascii: ";")) }
            appendName(person: other)
        }
    }

    /// Fixed notes, indexed by NoteKind's raw value (empty where the note is composed).
    private static let notes: [[UInt8]] = {
        var t = Array(repeating: [UInt8](), count: Int(NoteKind.open.rawValue) + 1)
        let fixed: [(NoteKind, String)] = [
            (.assignSession, "交办会集中交办"), (.assignRecess, "闭会期间交办"),
            (.assignProvincial, "省级建议提案转交办理"), (.assignCarried, "2019年度结转，2020年继续办理"), (.rightfulReturn, GeneratorTables.rightfulReturn),
            (.returnGranted, GeneratorTables.returnNote), (.replyLate, "逾期上传办理结果"),
            (.replyLunch, "召开专题座谈会，与代表委员共同办理"), (.replyNamed, "召开重点提案协商座谈会"),
            (.close, "办结"), (.rehandle, "代表委员不满意，重新办理"),
        ]
        for (k, v) in fixed { t[Int(k.rawValue)] = Array(v.utf8) }
        return t
    }()
    private static let keyHead = Array("重点督办件，".utf8), keyTail = Array("领办".utf8)
    private static let reassignHead = Array("改由".utf8), reassignTail = Array("办理".utf8)
    private static let coHead = Array("会办意见：已向主办单位".utf8), coTail = Array("提交".utf8)
    private static let replyByContact: [[UInt8]] = [
        "单位主要负责人与代表委员座谈后答复", "登门拜访代表委员后答复", "邀请代表委员现场察看后答复",
        "电话沟通后答复", "书面答复",
    ].map { Array($0.utf8) }
    private static let replyPlain = Array("已上传办理结果".utf8)
    private static let feedbackHead = Array("征询意见表：".utf8), oldTail = Array("（旧表）".utf8)
    private static let satisfactionLabels = Satisfaction.info.values.map { Array($0.label.utf8) }

    mutating func writeNote(_ e: PendingEvent, leader: [UInt8]) {
        switch e.note {
        case .none: break
        case .assignKey:
            scratch.removeAll(keepingCapacity: true)
            scratch += CaseEmitter.keyHead; scratch += leader; scratch += CaseEmitter.keyTail
            eventRow.put(ef.note, scratch)
        case .shirkReason: eventRow.put(ef.note, shirkReasons[Int(e.arg)])
        case .open: eventRow.put(ef.note, openNotes[Int(e.arg)])
        case .reassign:
            scratch.removeAll(keepingCapacity: true)
            scratch += CaseEmitter.reassignHead; scratch += unitBytes[Int(e.arg)]; scratch += CaseEmitter.reassignTail
            eventRow.put(ef.note, scratch)
        case .coOpinion:
            scratch.removeAll(keepingCapacity: true)
            scratch += CaseEmitter.coHead; scratch += unitBytes[Int(e.arg)]; scratch += CaseEmitter.coTail
            eventRow.put(ef.note, scratch)
        case .reply:
            let k = Int(e.arg)
            eventRow.put(ef.note, k < CaseEmitter.replyByContact.count ? CaseEmitter.replyByContact[k] : CaseEmitter.replyPlain)
        case .feedback:
            scratch.removeAll(keepingCapacity: true)
            scratch += CaseEmitter.feedbackHead; scratch += CaseEmitter.satisfactionLabels[Int(e.arg / 2)]
            if e.arg % 2 == 1 { scratch += CaseEmitter.oldTail }
            eventRow.put(ef.note, scratch)
        default:
            eventRow.put(ef.note, CaseEmitter.notes[Int(e.note.rawValue)])
        }
    }
}
