// Every case as it stood on a date (time travel), rebuilt from its events, so that a month-end
// report can be made again later and give the same figures (DOMAIN.md, the as-of date). The
// current deadline is the store's (`CaseStore.settleDeadlines`), worked out again up to the date.

import CaseQuery
import CaseStore
import Foundation

public enum Timeline {
    /// The store as it stood on `day`: cases not yet assigned are absent, events after it unseen,
    /// and each case's status, unit, sign, reply, close, feedback (satisfaction, form), class,
    /// contact and current deadline rebuilt from the events up to it; a reception day after it
    /// not yet held. The store itself when nothing in it is dated after `day`
    /// (`CaseStore.latestDate`).
    public static func asOf(_ store: CaseStore, _ day: Day) -> CaseStore {
        guard store.latestDate > day.raw else { return store }
        let c = store.cases
        let assigned = c.day(.assignedOn).values
        let keepCases = assigned.map { $0 == Day.none || $0 <= day.raw }
        let evDate = store.events.count > 0 ? store.events.day(.date).values : []
        let keepEvents = evDate.map { $0 == Day.none || $0 <= day.raw }
        // Which kept cases have something after the day (only those are rebuilt).
        let s = store.copy(keepingCases: keepCases, events: keepEvents)
        var oldRow: [Int] = []
        for r in 0..<c.count where keepCases[r] { oldRow.append(r) }
        var changed = [Bool](repeating: false, count: s.cases.count)
        // A case whose deadline a later event moved had its first one then (an earlier move is
        // worked out again below from the events kept).
        let deadline = s.cases.day(.deadline), first = s.cases.day(.originalDeadline)
        let action = store.events.count > 0 ? store.events.code(.action).codes : []
        for (r, old) in oldRow.enumerated() {
            for f in [FieldName.signedOn, .repliedOn, .closedOn] where c.day(f).values[old] > day.raw { changed[r] = true }
            for e in store.events(ofCase: old) where evDate[Int(e)] > day.raw {
                changed[r] = true
                let a = action[Int(e)]
                if a == EventAction.rehandle.rawValue || a == EventAction.extend.rawValue { deadline.values[r] = first.values[r] }
            }
        }
        rebuild(s, changed: changed, day: day, full: store, oldRow: oldRow)
        s.settleDeadlines()
        if s.units.count > 0 {
            let rec = s.units.day(.receptionDayOn), media = s.units.bool(.mediaSubmitted)
            for r in 0..<s.units.count where rec.values[r] != Day.none && rec.values[r] > day.raw {
                rec.values[r] = Day.none
                media.values[r] = false
            }
        }
        return s
    }

    /// Rewrites the changed cases of `s` (whose events already end on `day`) from their events;
    /// `full` is the store they were copied from (all events), `oldRow` each case's row there.
    ///
    /// Status follows `DomainRules.status(after:)` step by step. A case signed for and not yet
    /// answered on `day` is in handling (办理中, `in_progress`) when its next step after `day`
    /// (in `full`) is the unit's reply, close or re-handling, or, with no later step, when the
    /// case stands `in_progress` now; it stays `signed` when the next step is a return request or
    /// a reassignment, or nothing has happened since. A case without events is rebuilt from its
    /// own dates (assigned, signed_on, replied_on, closed_on).
    static func rebuild(_ s: CaseStore, changed: [Bool], day: Day, full: CaseStore, oldRow: [Int]) {
        let c = s.cases
        let status = c.code(.status), unit = c.text(.unit)
        let signed = c.day(.signedOn), replied = c.day(.repliedOn), closed = c.day(.closedOn)
        let satisfaction = c.code(.satisfaction), form = c.code(.form), resolution = c.code(.resolution), contact = c.code(.contact)
        let co = c.list(.coUnits)
        let ev = s.events
        let action = ev.count > 0 ? ev.code(.action).codes : [], date = ev.count > 0 ? ev.day(.date).values : []
        let evUnit = ev.count > 0 ? ev.text(.unit).codes : [], notes = ev.count > 0 ? ev.text(.note) : nil
        let samePool = ev.count > 0 && ev.text(.unit).pool === unit.pool
        func isCoUnitOpinion(_ e: Int, row r: Int, lead: UInt32) -> Bool {
            samePool
                ? DomainRules.isCoUnitOpinion(action: action[e], note: notes![e], unit: evUnit[e], lead: lead, coUnits: co.range(r).lazy.map { co.values[$0] })
                : DomainRules.isCoUnitOpinion(action: action[e], note: notes![e], unit: ev.text(.unit)[e], lead: unit.pool[lead], coUnits: co[r])
        }
        for r in 0..<c.count where changed[r] {
            let now = Status(rawValue: status.codes[r])
            var st: Status = .assigned
            var leadUnit = unit.codes[r]
            var sign = Int32(Day.none), reply = Int32(Day.none), close = Int32(Day.none)
            var feedback: String?, feedbackThenRehandle = false
            let steps = s.events(ofCase: r)
            for e in steps {
                let e = Int(e)
                guard let a = EventAction(rawValue: action[e]) else { continue }
                if (a == .assign || a == .reassign) && samePool && !ev.text(.unit).pool[evUnit[e]].isEmpty { leadUnit = evUnit[e] }
                if isCoUnitOpinion(e, row: r, lead: leadUnit) { continue }
                switch a {
                case .sign: if sign == Day.none { sign = date[e] }
                case .reply: reply = date[e]
                case .close: close = date[e]
                case .feedback: feedback = notes![e]; feedbackThenRehandle = false
                case .rehandle: if feedback != nil { feedbackThenRehandle = true }
                case .reassign: sign = Day.none
                default: break
                }
                if let next = DomainRules.status(after: a) { st = next }
            }
            if steps.isEmpty {
                // No history: the case's own dates up to the day.
                if signed.values[r] != Day.none, signed.values[r] <= day.raw { st = .signed }
                if replied.values[r] != Day.none, replied.values[r] <= day.raw { st = .replied; reply = replied.values[r] }
                if closed.values[r] != Day.none, closed.values[r] <= day.raw { st = .closed; close = closed.values[r] }
            }
            if sign == Day.none, signed.values[r] != Day.none, signed.values[r] <= day.raw { sign = signed.values[r] }
            if st == .signed {
                if let next = nextStep(full, oldRow[r], after: day) {
                    if next == .reply || next == .close || next == .rehandle { st = .inProgress }
                } else if now == .inProgress || (steps.isEmpty && now.map { $0.isAnswered || $0 == .rehandling } == true) {
                    st = .inProgress
                }
            }
            unit.codes[r] = leadUnit
            status.codes[r] = st.rawValue
            signed.values[r] = sign
            replied.values[r] = reply
            closed.values[r] = close
            if reply == Day.none {
                resolution.codes[r] = EnumInfo.none
                contact.codes[r] = EnumInfo.none
            }
            if let f = feedback {
                // The answer the note names; else 不满意 when re-handling followed it; else the
                // case's own (its last answer).
                if let answer = satisfactionNamed(in: f) { satisfaction.codes[r] = answer }
                else if feedbackThenRehandle { satisfaction.codes[r] = Satisfaction.unsatisfied.rawValue }
                if f.contains("旧表") { form.codes[r] = FormVersion.old.rawValue } else if f.contains("新表") { form.codes[r] = FormVersion.new.rawValue }
            } else if !(steps.isEmpty && close != Day.none) {
                satisfaction.codes[r] = EnumInfo.none
                form.codes[r] = EnumInfo.none
            }
        }
    }

    /// The first step after `day` of the case at `row` of `store` that changes its status,
    /// co-units' opinions (会办意见) left out; nil when there is none.
    static func nextStep(_ store: CaseStore, _ row: Int, after day: Day) -> EventAction? {
        guard store.events.count > 0 else { return nil }
        let action = store.events.code(.action).codes, date = store.events.day(.date).values
        let notes = store.events.text(.note), evUnit = store.events.text(.unit)
        let lead = store.cases.text(.unit)[row], co = store.cases.list(.coUnits)[row]
        for e in store.events(ofCase: row) {
            let e = Int(e)
            guard date[e] > day.raw, let a = EventAction(rawValue: action[e]), DomainRules.status(after: a) != nil else { continue }
            if DomainRules.isCoUnitOpinion(action: action[e], note: notes[e], unit: evUnit[e], lead: lead, coUnits: co) { continue }
            return a
        }
        return nil
    }

    /// The satisfaction answer a feedback note names (不满意 before 基本满意 before 满意).
    static func satisfactionNamed(in note: String) -> UInt8? {
        let byLength = Satisfaction.allCases.sorted { $0.label.count > $1.label.count }
        return byLength.first { note.contains($0.label) }?.rawValue
    }
}
