// Temporary: replaced by Suggest.swift from the parser branch.
public enum Suggest {
    public static func closest(to word: String, in candidates: [String], maxDistance: Int? = nil) -> String? {
        candidates.first { $0.lowercased().hasPrefix(String(word.lowercased().prefix(2))) }
    }
}
