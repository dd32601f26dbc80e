import CaseStore

/// The history operators over each case's events, in the manner of JQL's WAS and CHANGED.
///
/// - `unit was X`: X is the case's unit now, or acted on it in some event (it was assigned the
///   case, signed for it, asked to return it, returned it, replied…).
/// - `status was S`: S is the status now, or some event put the case in S
///   (assign → assigned, sign → signed, return_request → return_requested, reply → replied,
///   close → closed, rehandle → rehandling, reassign → assigned).
/// - `status changed [from S1] [to S2] [after D] [before D] [during (D1, D2)] [by UNIT]`: some event
///   moved the case from S1 to S2, dated within the bounds, done by UNIT.
/// - `unit changed [from U1] [to U2] …`: the case was reassigned (a `reassign` event) from U1 to U2.
struct History {
    let binder: Binder
    var store: CaseStore { binder.store }

    static func status(after action: EventAction) -> Status? { DomainRules.status(after: action) }

    func requireCases(_ range: SourceRange) throws {
        guard binder.source.isCases else {
            throw QueryError(Message(en: "was / changed look at a case's history: use them on cases, suggestions or proposals", zh: "was / changed 查的是案件的办理经过：用于 cases、suggestions 或 proposals"), at: range)
        }
    }

    func historyField(_ id: Identifier) throws -> String {
        let f = try binder.field(id)
        guard f.name == .unit || f.name == .status else {
            throw QueryError(Message(en: "history is kept for unit and status, not `\(f.name)`", zh: "只记录 unit 和 status 的变化，不记录 `\(f.name)`"), at: id.range)
        }
        return f.name
    }

    func statusCode(_ v: ValueExpr) throws -> UInt8 {
        let lit = try binder.literal(v)
        guard let c = Status.info.code(of: lit.asText) else {
            let statuses = Status.info.tokens.joined(separator: ", ")
            throw QueryError(Message(en: "unknown status `\(lit.asText)`; the statuses are: " + statuses, zh: "status 没有 `\(lit.asText)` 这个值；status 的取值有：" + statuses),
                             at: v.range, suggestion: Suggest.closest(to: lit.asText, in: Status.info.allSpellings).map { Message(en: "did you mean `\($0)`?", zh: "是不是 `\($0)`？") })
        }
        return c
    }

    func unitCode(_ v: ValueExpr) throws -> UInt32 {
        let lit = try binder.literal(v)
        guard let c = store.pools.units.lookup(lit.asText), c != 0 else {
            throw QueryError(Message(en: "no unit is called \"\(lit.asText)\"", zh: "没有单位叫 \"\(lit.asText)\""), at: v.range,
                             suggestion: Suggest.value(for: lit.asText, in: store.pools.units.allStrings).map { Binder.didYouMean($0, for: lit.asText, field: FieldName.unit.rawValue) })
        }
        return c
    }

    func dayValue(_ v: ValueExpr) throws -> Int32 {
        switch try binder.literal(v) {
        case .day(let d): return d.raw
        case .text(let s): if let d = Day(s) { return d.raw }
        default: break
        }
        throw QueryError(Message(en: "expected a date like 2020-09-30 or today - 7d", zh: "应为日期，如 2020-09-30 或 today - 7d"), at: v.range)
    }

    func was(_ id: Identifier, _ values: [ValueExpr], _ range: SourceRange) throws -> Plan {
        try requireCases(range)
        let field = try historyField(id)
        let n = binder.n
        let eventCase = store.eventCase
        if field == .unit {
            let codes = try values.map(unitCode)
            let names = codes.map { "\"\(store.pools.units[$0])\"" }.joined(separator: ", ")
            return .index("history: unit was \(names) (events by unit)") { [store, binder] in
                var b = Bitmap(count: n)
                let now = binder.indexes.postings(.unit)
                let byUnit = store.events.indexes.postings(.unit)
                for c in codes {
                    for r in now.rows(of: Int(c)) { b.insert(Int(r)) }
                    for e in byUnit.rows(of: Int(c)) where eventCase[Int(e)] != UInt32.max { b.insert(Int(eventCase[Int(e)])) }
                }
                return b
            }
        }
        let codes = try values.map(statusCode)
        let actions = EventAction.allCases.filter { a in History.status(after: a).map { codes.contains($0.rawValue) } ?? false }
        let names = codes.map { Status.info.token($0) }.joined(separator: ", ")
        return .index("history: status was \(names) (events by action)") { [store, binder] in
            var b = binder.indexes.rows(.status, codes: codes.map { Int($0) })
            let caseRows = store.events.indexes.rows(.action, codes: actions.map { Int($0.rawValue) })
            caseRows.forEach { e in if eventCase[e] != UInt32.max { b.insert(Int(eventCase[e])) } }
            return b
        }
    }

    /// `status was replied on 2020-06-30`, `unit was "教育局" on 2020-05-01`: the value the case
    /// held on that day, rebuilt from its events. The status is the one the last event on or
    /// before the day put the case in (events of one day in their order in the file); a case
    /// without events has it from its dates (closed_on, replied_on, signed_on, assigned_on). The
    /// unit is the one named by the last assign or reassign on or before the day (the case's
    /// unit when the event names none), or the case's unit once it is assigned. Before its
    /// assignment a case held no status and no unit.
    func was(_ id: Identifier, _ values: [ValueExpr], on: ValueExpr, _ range: SourceRange) throws -> Plan {
        try requireCases(range)
        let field = try historyField(id)
        let day = try dayValue(on)
        let evDate = store.events.day(.date).values
        let evAction = store.events.code(.action).codes
        let evUnit = store.events.text(.unit).codes
        let assigned = binder.table.day(.assignedOn).values
        let caseUnit = binder.table.text(.unit).codes
        let store = self.store
        let none = Day.none
        if field == .unit {
            let codes = Set(try values.map(unitCode))
            let names = codes.map { "\"\(store.pools.units[$0])\"" }.sorted().joined(separator: ", ")
            let assign = EventAction.assign.rawValue, reassign = EventAction.reassign.rawValue
            return .scan("history: unit was \(names) on \(Day(raw: day)) (each case's events)") { row in
                var holder: UInt32? = nil
                var best = Int32.min
                for e in store.events(ofCase: row) {
                    let e = Int(e)
                    let a = evAction[e]
                    guard a == assign || a == reassign, evDate[e] != none, evDate[e] <= day, evDate[e] >= best else { continue }
                    best = evDate[e]
                    holder = evUnit[e] != 0 ? evUnit[e] : caseUnit[row]
                }
                if holder == nil, assigned[row] != none, assigned[row] <= day { holder = caseUnit[row] }
                return holder.map { codes.contains($0) } ?? false
            }
        }
        let codes = Set(try values.map(statusCode))
        let names = codes.sorted().map { Status.info.token($0) }.joined(separator: ", ")
        let dates: [(column: [Int32], status: Status)] = [
            (binder.table.day(.closedOn).values, .closed), (binder.table.day(.repliedOn).values, .replied),
            (binder.table.day(.signedOn).values, .signed), (assigned, .assigned),
        ]
        return .scan("history: status was \(names) on \(Day(raw: day)) (each case's events)") { row in
            var status: UInt8? = nil
            var best = Int32.min
            var hasEvents = false
            for e in store.events(ofCase: row) {
                let e = Int(e)
                guard let action = EventAction(rawValue: evAction[e]), let s = History.status(after: action) else { continue }
                hasEvents = true
                guard evDate[e] != none, evDate[e] <= day, evDate[e] >= best else { continue }
                best = evDate[e]
                status = s.rawValue
            }
            if !hasEvents {
                for (column, s) in dates where column[row] != none && column[row] <= day { status = s.rawValue; break }
            }
            return status.map { codes.contains($0) } ?? false
        }
    }

    func changed(_ id: Identifier, _ f: ChangeFilter, _ range: SourceRange) throws -> Plan {
        try requireCases(range)
        let field = try historyField(id)
        let after = try f.after.map(dayValue), before = try f.before.map(dayValue)
        let during = try f.during.map { (try dayValue($0.0), try dayValue($0.1)) }
        let by = try f.by.map(unitCode)
        let evDate = store.events.day(.date).values
        let evUnit = store.events.text(.unit).codes
        let evAction = store.events.code(.action).codes
        let caseUnit = binder.table.text(.unit).codes
        var text = "history: \(field) changed"
        func dateOK(_ d: Int32) -> Bool {
            if let a = after, !(d > a) { return false }
            if let b = before, !(d < b) { return false }
            if let (x, y) = during, !(d >= x && d <= y) { return false }
            return true
        }
        if let a = after { text += " after \(Day(raw: a))" }
        if let b = before { text += " before \(Day(raw: b))" }
        if let (x, y) = during { text += " during (\(Day(raw: x)), \(Day(raw: y)))" }
        if let b = by { text += " by \"\(store.pools.units[b])\"" }
        let store = self.store
        if field == .status {
            let from = try f.from.map(statusCode), to = try f.to.map(statusCode)
            if let x = from { text += " from \(Status.info.token(x))" }
            if let y = to { text += " to \(Status.info.token(y))" }
            return .scan(text + " (each case's events)") { row in
                var previous: UInt8? = nil
                for e in store.events(ofCase: row) {
                    let e = Int(e)
                    guard let action = EventAction(rawValue: evAction[e]), let s = History.status(after: action) else { continue }
                    defer { previous = s.rawValue }
                    if s.rawValue == previous { continue }
                    if let x = from, previous != x { continue }
                    if let y = to, s.rawValue != y { continue }
                    if let b = by, evUnit[e] != b { continue }
                    if dateOK(evDate[e]) { return true }
                }
                return false
            }
        }
        let from = try f.from.map(unitCode), to = try f.to.map(unitCode)
        if let x = from { text += " from \"\(store.pools.units[x])\"" }
        if let y = to { text += " to \"\(store.pools.units[y])\"" }
        let reassign = EventAction.reassign.rawValue, ret = EventAction.return.rawValue, assign = EventAction.assign.rawValue
        return .scan(text + " (each case's reassign events)") { row in
            // The unit before a reassignment: the one that returned the case, else the last assigned.
            var holder: UInt32? = nil
            for e in store.events(ofCase: row) {
                let e = Int(e)
                let a = evAction[e]
                if a == ret || a == assign { holder = evUnit[e]; continue }
                guard a == reassign else { continue }
                let newUnit = evUnit[e] != 0 ? evUnit[e] : caseUnit[row]
                defer { holder = newUnit }
                if let x = from, holder != x { continue }
                if let y = to, newUnit != y { continue }
                if let b = by, holder != b && evUnit[e] != b { continue }
                if dateOK(evDate[e]) { return true }
            }
            return false
        }
    }
}
