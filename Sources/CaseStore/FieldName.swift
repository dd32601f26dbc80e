// The names of the schema's fields, for code to refer to them. Schema.swift declares each field
// with its key from here, and code names a field by its key (`table.code(.status)`), never by a
// string literal: a typo, or a field renamed or removed here, fails to compile. A name a user
// types (or a header kept as an extra field) is looked up with `Schema.field(_:in:)` instead.

/// The name of a field of `Schema.cases`, `Schema.units` or `Schema.events` (or of a column a
/// file brought, see `Table.addExtraField`); `rawValue` is the ASCII name queries use.
public struct FieldName: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// Matches a name as a string (a `switch` over a user-typed name can use keys as cases).
    public static func ~= (key: FieldName, name: String) -> Bool { key.rawValue == name }
    public static func == (key: FieldName, name: String) -> Bool { key.rawValue == name }
    public static func == (name: String, key: FieldName) -> Bool { key.rawValue == name }
    public static func != (key: FieldName, name: String) -> Bool { key.rawValue != name }
    public static func != (name: String, key: FieldName) -> Bool { key.rawValue != name }
}

// Cases (stored).
extension FieldName {
    public static let id = FieldName("id")
    public static let kind = FieldName("kind")
    public static let level = FieldName("level")
    public static let recess = FieldName("recess")
    public static let year = FieldName("year")
    public static let title = FieldName("title")
    public static let proposer = FieldName("proposer")
    public static let proposerType = FieldName("proposer_type")
    public static let cosigners = FieldName("cosigners")
    public static let category = FieldName("category")
    public static let unit = FieldName("unit")
    public static let coUnits = FieldName("co_units")
    public static let keySupervised = FieldName("key_supervised")
    public static let leader = FieldName("leader")
    public static let assignedOn = FieldName("assigned_on")
    public static let signedOn = FieldName("signed_on")
    public static let deadline = FieldName("deadline")
    public static let repliedOn = FieldName("replied_on")
    public static let closedOn = FieldName("closed_on")
    public static let status = FieldName("status")
    public static let contact = FieldName("contact")
    public static let satisfaction = FieldName("satisfaction")
    public static let resolution = FieldName("resolution")
    public static let form = FieldName("form")
}

// Cases (derived against the as-of date).
extension FieldName {
    public static let overdue = FieldName("overdue")
    public static let late = FieldName("late")
    public static let faceToFace = FieldName("face_to_face")
    public static let daysOpen = FieldName("days_open")
    public static let daysToSign = FieldName("days_to_sign")
    public static let daysToReply = FieldName("days_to_reply")
    public static let originalDeadline = FieldName("original_deadline")
}

// Units.
extension FieldName {
    public static let name = FieldName("name")
    public static let type = FieldName("type")
    public static let receptionDayOn = FieldName("reception_day_on")
    public static let mediaSubmitted = FieldName("media_submitted")
}

// Events (`unit` is shared with cases).
extension FieldName {
    public static let caseID = FieldName("case_id")
    public static let date = FieldName("date")
    public static let action = FieldName("action")
    public static let note = FieldName("note")
}
