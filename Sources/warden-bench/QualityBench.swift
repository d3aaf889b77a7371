import Foundation
import WardenCore
import WardenPipeline

/// `warden-bench --quality`: recall per obfuscation class and false positives on benign text, for one
/// content rule holding a public word list plus the default pack's invite rule, side by side with the
/// public peers run over the same corpus (scripts/quality/peers.py). The corpus comes from
/// scripts/quality/corpus.py; scripts/quality.sh makes it and runs this with `--check`.
struct QualityBench {
    struct Row { let cls: String; let text: String; let bad: Bool }
    struct Tally { var caught = 0; var total = 0; var rate: Double { total == 0 ? 0 : Double(caught) / Double(total) } }

    let rows: [Row]
    let words: [String]
    let invites: [RuleDefinition]

    static func load(corpus: String, words: String, pack: String) throws -> QualityBench {
        let text = try String(contentsOfFile: corpus, encoding: .utf8)
        var rows: [Row] = []
        for (n, line) in text.split(separator: "\n").enumerated() {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let cls = object["class"] as? String, let body = object["text"] as? String, let bad = object["bad"] as? Bool
            else { throw BenchError("\(corpus):\(n + 1): expected {\"class\", \"text\", \"bad\"}") }
            rows.append(Row(cls: cls, text: body, bad: bad))
        }
        let list = try String(contentsOfFile: words, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        let invites = try RulePackDirectory.load(pack).rules.map(\.definition).filter { $0.name == "invite-link" }
        guard !invites.isEmpty else { throw BenchError("\(pack): no invite-link rule") }
        return QualityBench(rows: rows, words: list, invites: invites)
    }

    /// Runs Warden over the corpus: per class, how many messages any rule flagged; and messages per second.
    func runWarden(showMisses: Int = 0) -> (classes: [String: Tally], perSecond: Double) {
        let wordRule = RuleDefinition(name: "word-list", config: ContentKind(keywords: words))
        let set = CompiledRuleSet(rules: ([wordRule] + invites).enumerated().map { RuleSource(id: Int64($0.offset + 1), definition: $0.element) })
        let normalizer = Normalizer()
        let content = ContentStage()
        let scratch = RegexScratch.current
        var classes: [String: Tally] = [:]
        var shown: [String: Int] = [:]
        let clock = ContinuousClock()
        let started = clock.now
        for row in rows {
            let text = normalizer.normalize(row.text, views: set.views)
            let flagged = !content.evaluateEveryReading(text, channel: Snowflake(1), roles: [], rules: set, scratch: scratch).matches.isEmpty
            classes[row.cls, default: Tally()].total += 1
            if flagged { classes[row.cls, default: Tally()].caught += 1 }
            if flagged != row.bad, showMisses > 0, shown[row.cls, default: 0] < showMisses {
                shown[row.cls, default: 0] += 1
                let skeleton = String(decoding: text.view(.skeleton)?.bytes ?? [], as: UTF8.self)
                print("  miss \(row.cls): \(row.text.debugDescription) skeleton \(skeleton.debugDescription)")
            }
        }
        let seconds = Double(nanos(clock.now - started)) / 1e9
        return (classes, Double(rows.count) / max(seconds, 1e-9))
    }

    /// The peers' figures, from `python peers.py --corpus FILE`.
    static func runPeers(python: String, script: String, corpus: String) throws -> [(name: String, classes: [String: Tally], perSecond: Double)] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--corpus", corpus]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let object = try JSONSerialization.jsonObject(with: output) as? [String: [String: Any]]
        else { throw BenchError("\(script) failed (exit \(process.terminationStatus))") }
        return object.keys.sorted().map { name in
            let entry = object[name] ?? [:]
            var classes: [String: Tally] = [:]
            for (cls, pair) in entry["classes"] as? [String: [Int]] ?? [:] where pair.count == 2 {
                classes[cls] = Tally(caught: pair[0], total: pair[1])
            }
            return (name, classes, entry["messages_per_second"] as? Double ?? 0)
        }
    }

    /// Prints the table; returns the classes (and the false-positive rate) that miss the targets.
    func report(warden: (classes: [String: Tally], perSecond: Double), peers: [(name: String, classes: [String: Tally], perSecond: Double)],
                minRecall: Double, floors: [String: Double], maxFalsePositives: Double) -> [String] {
        let badClasses = orderedClasses(bad: true), benignClasses = orderedClasses(bad: false)
        let names = ["Warden"] + peers.map(\.name)
        let all = [warden.classes] + peers.map(\.classes)
        print("Matching quality: \(words.count) words in one content rule + the invite-link rule, \(rows.count) messages")
        func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
            let space = String(repeating: " ", count: max(0, width - text.count))
            return left ? text + space : space + text
        }
        print("  " + pad("class", 22, left: true) + pad("n", 7) + names.map { pad($0, 21) }.joined())
        var misses: [String] = []
        for cls in badClasses {
            let n = warden.classes[cls]?.total ?? 0
            print("  " + pad(cls, 22, left: true) + pad("\(n)", 7) + all.map { pad(String(format: "%.1f%%", ($0[cls]?.rate ?? 0) * 100), 21) }.joined())
            let rate = warden.classes[cls]?.rate ?? 0
            if rate < (floors[cls] ?? minRecall) { misses.append(cls) }
            else if rate < minRecall { print(String(format: "    (%@ is below the %.0f%% target, above its floor %.1f%%)", cls as NSString, minRecall * 100, (floors[cls] ?? 0) * 100)) }
        }
        func benign(_ classes: [String: Tally]) -> Tally {
            benignClasses.reduce(into: Tally()) { $0.caught += classes[$1]?.caught ?? 0; $0.total += classes[$1]?.total ?? 0 }
        }
        for cls in benignClasses {
            let n = warden.classes[cls]?.total ?? 0
            print("  " + pad("FP \(cls)", 22, left: true) + pad("\(n)", 7) + all.map { pad(String(format: "%.2f%%", ($0[cls]?.rate ?? 0) * 100), 21) }.joined())
        }
        let benignAll = all.map(benign)
        print("  " + pad("FP all benign", 22, left: true) + pad("\(benignAll[0].total)", 7) +
              benignAll.map { pad("\($0.caught) (" + String(format: "%.2f%%", $0.rate * 100) + ")", 21) }.joined())
        print("  " + pad("messages/s", 22, left: true) + pad("", 7) + ([warden.perSecond] + peers.map(\.perSecond)).map { pad(String(format: "%.0f", $0), 21) }.joined())
        if benignAll[0].rate > maxFalsePositives { misses.append("false positives") }
        return misses
    }

    private func orderedClasses(bad: Bool) -> [String] {
        var seen: [String] = []
        for row in rows where row.bad == bad && !seen.contains(row.cls) { seen.append(row.cls) }
        return seen
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func qualityBench() {
    let corpus = option("--corpus", ".build-quality/corpus.jsonl") ?? ""
    let words = option("--words", ".build-quality/words.txt") ?? ""
    let minRecall = Double(option("--min-recall", "0.99") ?? "") ?? 0.99
    let maxFalsePositives = Double(option("--max-false-positives", "0.001") ?? "") ?? 0.001
    do {
        let bench = try QualityBench.load(corpus: corpus, words: words, pack: option("--rules", "rules") ?? "rules")
        let warden = bench.runWarden(showMisses: Int(option("--show-misses", "0") ?? "") ?? 0)
        var peers: [(name: String, classes: [String: QualityBench.Tally], perSecond: Double)] = []
        if let python = option("--peer-python", nil) {
            peers = try QualityBench.runPeers(python: python, script: option("--peer-script", "scripts/quality/peers.py") ?? "", corpus: corpus)
        }
        var floors: [String: Double] = [:]
        if let path = option("--floors", nil) {
            for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
                let fields = line.split(separator: " ")
                guard fields.count == 2, let floor = Double(fields[1]) else { throw BenchError("\(path): expected \"class minimum\", got \(line)") }
                floors[String(fields[0])] = floor
            }
        }
        let misses = bench.report(warden: warden, peers: peers, minRecall: minRecall, floors: floors, maxFalsePositives: maxFalsePositives)
        if CommandLine.arguments.contains("--check") && !misses.isEmpty {
            fail("below target (recall \(minRecall * 100)% per class, false positives at most \(maxFalsePositives * 100)%): \(misses.joined(separator: ", "))")
        }
    } catch {
        fail("\(error)")
    }
}
