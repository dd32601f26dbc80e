// The fuzz target for the caseql lexer and parser (Fuzz.swift dispatches to it).
//
// Each input is read as UTF-8 (invalid
// sequences replaced) and fed to the lexer, the parser (one statement and a script), the
// completeness check the REPL uses, and the error renderer. Anything but a clean return is a bug:
// a bad query must never crash.

func fuzzParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let tokens = Lexer.tokenize(text)
    precondition(tokens.last?.kind == .end, "the token list must end with .end")
    _ = Parser.completeness(of: text)
    do {
        _ = try Parser.parse(text)
    } catch {
        let rendered = error.rendered(source: text)
        precondition(rendered.hasPrefix("query:"), "a rendered error starts with its name")
        _ = error.rendered(source: text, name: "script.cql")
        // Rendering against other text (a REPL line shorter than the statement) must not trap.
        _ = error.rendered(source: String(text.prefix(3)))
        _ = error.rendered(source: "")
    }
    do {
        _ = try Parser.parseScript(text)
    } catch let error as QueryError {
        _ = error.rendered(source: text)
    } catch {}
    return 0
}
