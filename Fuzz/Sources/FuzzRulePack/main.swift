import Foundation
import CFuzzDriver
import WardenCore

/// One input: any bytes as a pack file. Parsing must never crash; every rule it keeps must have a name and
/// be unique in the pack, and a kept rule set must compile (the same path a guild's rules take).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzRulePack(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    let (rules, _) = RulePack.parse(files: [(name: "fuzz.yaml", contents: text)])
    var names = Set<String>()
    for rule in rules {
        precondition(!rule.definition.name.isEmpty, "a kept rule has no name")
        precondition(names.insert(rule.definition.name).inserted, "two kept rules share a name")
    }
    _ = CompiledRuleSet(rules: rules.enumerated().map { RuleSource(id: Int64($0.offset + 1), definition: $0.element.definition) })
    return 0
}

exit(warden_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
    guard let data else { return 0 }
    return fuzzRulePack(data, size)
})
