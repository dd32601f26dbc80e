// The fuzz target for statement evaluation (Fuzz.swift dispatches to it): each input is a script
// of statements, parsed and run on a small generated dataset (300 cases, their units and
// events). A statement may be refused with an error; it may never crash or hang.

import CaseStore
import Foundation

/// The dataset every input runs on, made once per process.
let fuzzStore: CaseStore = {
    let d = NSTemporaryDirectory() + "caseql-fuzz-eval-\(getpid())"
    try? FileManager.default.removeItem(atPath: d)
    try! DatasetGenerator(cases: 300, seed: 17).write(to: d)
    let (store, _) = try! DatasetLoader.load(d)
    try? FileManager.default.removeItem(atPath: d)
    return store
}()

func fuzzEval(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let statements = try? Parser.parseScript(text) else { return 0 }
    let engine = Engine(store: fuzzStore, asOf: Day("2020-09-17"))
    engine.params = ["u": "教育局", "n": "3"]
    for (statement, _) in statements.prefix(8) {
        do {
            switch try engine.run(statement) {
            case .rows(let result):
                // Every cell of the answer is made (lazily computed columns included).
                for r in 0..<min(result.rowCount, 200) { _ = result.row(r) }
            case .plan, .expectation: break
            }
        } catch let error as QueryError {
            _ = error.rendered(source: text)
        } catch {}
    }
    return 0
}
